package org.llmretriever.trainer.collection;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.z.ZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opening collection files the way they are distributed. Compression is recognised by its magic bytes rather
 * than the file name, because TREC disks name their files {@code .z}, {@code .Z}, {@code .gz} or nothing at all.
 * Text is decoded as UTF-8 with malformed bytes replaced: old collections are Latin-1 or worse, and one bad byte
 * must not stop a multi-gigabyte read.
 */
final class Inputs {
    private Inputs() {}

    /** The file's bytes, decompressed if gzip, bzip2 or Unix compress. */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return decompress(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** {@code in} (which must support mark), decompressed if its first bytes say it is compressed. */
    static InputStream decompress(InputStream in) throws IOException {
        in.mark(4);
        int b0 = in.read();
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        if (b0 == 0x1f && b1 == 0x9d) {
            return new BufferedInputStream(new ZCompressorInputStream(in), 1 << 16);
        }
        if (b0 == 'B' && b1 == 'Z' && b2 == 'h') {
            return new BufferedInputStream(new BZip2CompressorInputStream(in, true), 1 << 16);
        }
        return in;
    }

    /** True if {@code in} (mark supported) starts with a POSIX tar header. */
    static boolean isTar(InputStream in) throws IOException {
        in.mark(512);
        byte[] header = in.readNBytes(512);
        in.reset();
        return header.length == 512 && new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    /** UTF-8 text, malformed bytes replaced. */
    static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** A text file (possibly compressed) as UTF-8 lines. */
    static BufferedReader reader(Path file) throws IOException {
        return reader(open(file));
    }

    /** {@code in} with close() doing nothing: for reading one tar entry without closing the archive. */
    static InputStream shielded(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {}
        };
    }
}
