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
 * @param attention {@code causal} or {@code bidirectional}, as trained
 */
public record RetrieverConfig(String pooling, String queryPrompt, String passagePrompt, int maxTokens, String attention) {
    /** From the options a model was trained with. */
    public static RetrieverConfig of(org.llmretriever.encoder.EncoderOptions o) {
        return new RetrieverConfig(o.pooling().toString(), o.queryPrompt().toString(), o.passagePrompt().toString(), o.maxTokens(),
            o.attention().toString());
    }

    /** As a model definition body (without path). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pooling", pooling);
        m.put("query_prompt", queryPrompt);
        m.put("passage_prompt", passagePrompt);
        m.put("max_tokens", maxTokens);
        if (!"causal".equals(attention)) {
            m.put("attention", attention); // only when it differs from the default, so older plugins still accept causal models
        }
        return m;
    }
}
