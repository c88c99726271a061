package org.llmretriever.trainer;

import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.trainer.corpus.Document;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A generated corpus where each document has its own topic words mixed into common English, split into a
 * training part and a held-back tail (never seen in training) for measuring crop → document retrieval.
 */
public final class SyntheticCorpus {
    public final List<Document> train = new ArrayList<>();
    public final List<String> heldBack = new ArrayList<>();

    public SyntheticCorpus(int docs, long seed) {
        Random r = new Random(seed);
        String[] common = RandomCheckpoints.SAMPLE_TEXT.trim().toLowerCase().replaceAll("[^a-z ]", " ").split("\\s+");
        for (int d = 0; d < docs; d++) {
            String[] topic = new String[5];
            for (int i = 0; i < topic.length; i++) {
                StringBuilder w = new StringBuilder();
                int len = 4 + r.nextInt(4);
                for (int c = 0; c < len; c++) {
                    w.append((char) ('a' + r.nextInt(26)));
                }
                topic[i] = w.toString();
            }
            List<String> words = new ArrayList<>();
            for (int i = 0; i < 70; i++) {
                words.add(r.nextDouble() < 0.45 ? topic[r.nextInt(topic.length)] : common[r.nextInt(common.length)]);
            }
            train.add(new Document("doc-" + d, String.join(" ", words.subList(0, 50))));
            heldBack.add(String.join(" ", words.subList(50, 70)));
        }
    }
}
