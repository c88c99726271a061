package org.llmretriever.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from /proc (Linux): current and peak, with the peak resettable. */
final class NativeMemory {
    private NativeMemory() {}

    /** Current resident set size in MiB. */
    static double rssMb() {
        return field("VmRSS:");
    }

    /** Peak resident set size since start or the last {@link #resetPeak()}, in MiB. */
    static double peakMb() {
        return field("VmHWM:");
    }

    /** Resets the peak to the current RSS (writes 5 to /proc/self/clear_refs). */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            throw new IllegalStateException("cannot reset the peak RSS (/proc/self/clear_refs): " + e.getMessage(), e);
        }
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        throw new IllegalStateException(name + " not in /proc/self/status");
    }
}
