package org.llmretriever.trainer.objective;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.TrainContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** {@code --batch-neighbours}: a batch is made of seeds and their TF-IDF neighbours, not of random documents. */
public class NeighbourBatchTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void eachSeedBringsItsNeighbourIntoTheBatch() throws Exception {
        // 20 pairs of twins: each pair shares a capital letter (a byte token of the tiny lowercase-trained tokenizer)
        // that no other document has, amid common English in every document
        Random r = new Random(3);
        String[] common = "the of and a in is it that was for on are with as be at by this had not".split(" ");
        List<Document> docs = new ArrayList<>();
        for (int pair = 0; pair < 20; pair++) {
            String mark = String.valueOf((char) ('A' + pair));
            String own = mark + " " + mark + " " + mark;
            for (int twin = 0; twin < 2; twin++) {
                StringBuilder text = new StringBuilder(own);
                for (int i = 0; i < 30; i++) {
                    text.append(' ').append(common[r.nextInt(common.length)]);
                }
                docs.add(new Document("d" + (2 * pair + twin), text.toString()));
            }
        }
        Path dir = RandomCheckpoints.write(tmp.newFolder("llama").toPath(), "llama", 8);
        TrainConfig cfg = new TrainConfig();
        cfg.batchSize = 8;
        cfg.batchNeighbours = 1;
        cfg.lexicalTeacher = 0;
        cfg.cropMin = 8;
        cfg.cropMax = 24;
        cfg.queryCropMin = 0;
        cfg.queryCropMax = 0;
        cfg.maxTokens = 96;
        try (EncoderModel base = EncoderModel.load(dir, EncoderOptions.defaults())) {
            Llm2IrObjective objective = new Llm2IrObjective();
            objective.prepare(new TrainContext(cfg, base, Corpus.of(docs), null));
            for (int step = 0; step < 5; step++) {
                List<Integer> batch = objective.neighbourBatch(8, 1, new Random(step));
                assertEquals(8, batch.size());
                Set<Integer> members = new HashSet<>(batch);
                assertEquals("no document twice: " + batch, 8, members.size());
                for (int d : batch) {
                    assertTrue("the twin of " + d + " is in " + batch, members.contains(d ^ 1));
                }
            }
        }
    }
}
