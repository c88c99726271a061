package org.llmretriever.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training throughput per objective on a random d=512 Llama: tokens/s and MFU, counting forward + backward as 3×
 * the forward FLOPs (the usual convention, even though LoRA skips the frozen weights' gradients), against the
 * same-run fp32 matmul ceiling. Steps after two warm-up steps are timed; the median step is reported.
 */
public final class TrainerBenchmark extends Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code quick} shrinks sizes (smoke run). */
    public TrainerBenchmark(PrintStream out, boolean quick) {
        super(out, quick);
    }

    /** Runs the three objectives. */
    public BenchReport run(Path work) throws IOException {
        BenchReport rep = new BenchReport("trainer");
        FileTrees.deleteRecursively(work);
        double ceiling = EncoderBenchmark.Ceiling.measure(out, quick);
        rep.put("ceiling_gflops", ceiling, "fp32 matmul ceiling (same run)", "GFLOP/s");
        int hidden = quick ? 128 : 512;
        int layers = quick ? 2 : 4;
        Path model = RandomCheckpoints.write(work.resolve("model"), PluginBenchmark.config(hidden, layers, hidden * 11 / 4), 3);
        List<Document> docs = new ArrayList<>();
        int i = 0;
        for (String d : PluginBenchmark.documents(200, 9, 80, 160)) {
            docs.add(new Document("d" + i++, d));
        }
        rep.json().put("model", "random llama d=" + hidden + ", " + layers + " layers; LoRA r=16 for llm2ir/llara, full for clm");
        ObjectNode mfu = rep.json().putObject("mfu");
        ObjectNode tps = rep.json().putObject("tokens_per_s");
        for (String objective : List.of("llm2ir", "llara", "clm")) {
            TrainConfig c = new TrainConfig();
            c.objectives = List.of(objective);
            c.outDir = work.resolve("run-" + objective);
            c.steps = quick ? 4 : 10;
            c.batchSize = quick ? 4 : 16;
            c.maxTokens = 256;
            c.cropMin = 64;
            c.cropMax = 128;
            c.llaraPassageTokens = 128;
            c.checkpointEvery = 0;
            c.loraRank = objective.equals("clm") ? 0 : 16;
            c.lr = 1e-4;
            try (EncoderModel m = EncoderModel.load(model, EncoderOptions.defaults())) {
                new Trainer(c, m, Corpus.of(docs), null, null).run();
            }
            List<String> lines = Files.readAllLines(c.outDir.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"step\"")).toList();
            double[] g = new double[lines.size() - 2];
            double[] t = new double[lines.size() - 2];
            for (int k = 2; k < lines.size(); k++) {
                JsonNode n = JSON.readTree(lines.get(k));
                g[k - 2] = n.path("gflops_per_s").asDouble();
                t[k - 2] = n.path("tokens_per_s").asDouble();
            }
            Arrays.sort(g);
            Arrays.sort(t);
            double gm = g[g.length / 2];
            mfu.put(objective, gm / ceiling);
            tps.put(objective, t[t.length / 2]);
            rep.put(objective + "_gflops", gm, objective + " training compute (3 x forward)", "GFLOP/s");
            rep.put(objective + "_mfu", gm / ceiling, objective + " MFU", "fraction");
            rep.put(objective + "_tokens_per_s", t[t.length / 2], objective + " training throughput", "tokens/s");
        }
        return rep;
    }
}
