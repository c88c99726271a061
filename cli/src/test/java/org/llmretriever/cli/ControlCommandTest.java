package org.llmretriever.cli;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.model.RandomCheckpoints;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Control checkpoints: with the layers switched off, a model's mean-pooled vector is the mean of its normalised token embeddings. */
public class ControlCommandTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void layersOffEmbedsTheMeanOfNormalisedTokenEmbeddings() throws Exception {
        Path base = RandomCheckpoints.write(tmp.newFolder("base").toPath(), "llama", 5);
        Path off = tmp.getRoot().toPath().resolve("off");
        int code = new CommandLine(new ControlCommand()).execute("--from", base.toString(), "--kind", "layers-off", "--out", off.toString());
        assertEquals(0, code);
        float[] table;
        int d;
        try (SafetensorsFile f = SafetensorsFile.open(off.resolve("model.safetensors"))) {
            table = f.readFloats("model.embed_tokens.weight");
            d = (int) f.info("model.embed_tokens.weight").shape()[1];
            for (float w : f.readFloats("model.layers.0.self_attn.o_proj.weight")) {
                assertEquals(0f, w, 0f);
            }
        }
        EncoderOptions o = EncoderOptions.defaults().withPooling(Pooling.MEAN).withNormalize(false);
        try (EncoderModel m = EncoderModel.load(off, o)) {
            long[] ids = m.sequenceFor(m.tokenizer().encode("rivers and bridges", false), Kind.PASSAGE);
            float[] expected = new float[d];
            for (long id : ids) {
                double ss = 0;
                for (int j = 0; j < d; j++) {
                    ss += table[(int) id * d + j] * table[(int) id * d + j];
                }
                double rms = Math.sqrt(ss / d + 1e-6); // RMSNorm with weight 1 (eps as in RandomCheckpoints' config)
                for (int j = 0; j < d; j++) {
                    expected[j] += (float) (table[(int) id * d + j] / rms / ids.length);
                }
            }
            float[] got = m.embed(List.of("rivers and bridges"), Kind.PASSAGE).vectors()[0];
            for (int j = 0; j < d; j++) {
                assertEquals("dimension " + j, expected[j], got[j], 1e-3);
            }
        }
    }

    @Test
    public void unknownKindIsRefusedByName() throws Exception {
        Path base = RandomCheckpoints.write(tmp.newFolder("base2").toPath(), "llama", 6);
        CommandLine cl = new CommandLine(new ControlCommand());
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute("--from", base.toString(), "--kind", "half-off", "--out", tmp.getRoot().toPath().resolve("x").toString());
        assertTrue(code != 0);
        assertTrue(err.toString(), err.toString().contains("half-off"));
    }
}
