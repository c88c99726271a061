package org.llmretriever.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.Test;
import org.llmretriever.encoder.runtime.Scalars;
import org.llmretriever.encoder.runtime.TorchRuntime;
import org.llmretriever.trainer.train.Trainer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Gradients through an array-times-number stay right when the garbage collector runs between the forward and
 * the backward pass, and no class of the encoder or the trainer calls DJL's number-taking array methods, whose
 * 0-d tensor lives in a Java buffer that is freed while autograd still reads it (see {@link Scalars}). With
 * DJL's {@code x.mul(2f)} in place of {@code Scalars.mul(x, 2)} the first test got a wrong gradient (NaN,
 * 2e10, 6e-25, ...) in every one of 300 iterations.
 */
public class ScalarOpsGuardTest {
    @Test
    public void aScalarOpsGradientSurvivesAGarbageCollectionBeforeBackward() throws InterruptedException {
        var engine = TorchRuntime.engine();
        List<ByteBuffer> reuse = new ArrayList<>();
        for (int it = 0; it < 40; it++) {
            try (NDManager m = engine.newBaseManager()) {
                NDArray x = m.ones(new Shape(16));
                x.setRequiresGradient(true);
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray loss = Scalars.div(Scalars.mul(x, 2), 4).sum(); // d/dx = 0.5
                    System.gc();  // lets the cleaner free any direct buffer closed during the forward pass ...
                    Thread.sleep(2);
                    reuse.clear(); // ... and fills small freed blocks with NaN
                    for (int i = 0; i < 2000; i++) {
                        reuse.add(ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putFloat(0, Float.NaN));
                    }
                    gc.backward(loss);
                }
                float[] g = x.getGradient().toFloatArray();
                for (float v : g) {
                    assertEquals("gradient at iteration " + it, 0.5f, v, 0f);
                }
            }
        }
    }

    @Test
    public void noClassCallsADjlMethodThatTakesANumber() throws IOException, URISyntaxException {
        List<String> offenders = new ArrayList<>();
        int classes = 0;
        for (Class<?> anchor : new Class<?>[] { Scalars.class, Trainer.class }) {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (ClassBytes c : classesAt(location)) {
                classes++;
                for (String ref : numberTakingDjlCalls(c.bytes())) {
                    offenders.add(c.name() + " calls " + ref);
                }
            }
        }
        assertTrue("scanned only " + classes + " classes", classes > 50);
        assertTrue("use org.llmretriever.encoder.runtime.Scalars instead:\n" + String.join("\n", offenders), offenders.isEmpty());
    }

    private record ClassBytes(String name, byte[] bytes) {}

    private static List<ClassBytes> classesAt(Path location) throws IOException {
        List<ClassBytes> out = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                    out.add(new ClassBytes(location.relativize(p).toString(), Files.readAllBytes(p)));
                }
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().endsWith(".class")) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            out.add(new ClassBytes(entry.getName(), in.readAllBytes()));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Method references in a class file's constant pool whose owner is a DJL type and that take a {@link Number}. */
    static List<String> numberTakingDjlCalls(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
        in.skipBytes(8); // magic, minor, major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] nameAndType = new int[count][];
        List<int[]> methodRefs = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // eight-byte constants take two slots
                }
                case 9 -> in.skipBytes(4);
                case 10, 11 -> methodRefs.add(new int[] { in.readUnsignedShort(), in.readUnsignedShort() });
                case 12 -> nameAndType[i] = new int[] { in.readUnsignedShort(), in.readUnsignedShort() };
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        List<String> out = new ArrayList<>();
        for (int[] ref : methodRefs) {
            String owner = utf8[classNameIndex[ref[0]]];
            String name = utf8[nameAndType[ref[1]][0]];
            String descriptor = utf8[nameAndType[ref[1]][1]];
            String params = descriptor.substring(0, descriptor.indexOf(')') + 1);
            if (owner.startsWith("ai/djl/") && params.contains("Ljava/lang/Number;")) {
                out.add(owner + "." + name + descriptor);
            }
        }
        return out;
    }
}
