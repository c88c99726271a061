package org.llmretriever.trainer.objective;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a trained model should embed (what {@code --register} sends to the plugin): pooling and prompts.
 *
 * @param pooling e.g. {@code last_token} or {@code suffix_mean:8}
 * @param queryPrompt query template
 * @param passagePrompt passage template
 * @param maxTokens longest input
 */
public record RetrieverConfig(String pooling, String queryPrompt, String passagePrompt, int maxTokens) {
    /** As a model definition body (without path). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pooling", pooling);
        m.put("query_prompt", queryPrompt);
        m.put("passage_prompt", passagePrompt);
        m.put("max_tokens", maxTokens);
        return m;
    }
}
