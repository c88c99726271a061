package org.llmretriever.yamlrest;

import com.carrotsearch.randomizedtesting.ThreadFilter;

/** The JDK's process-reaper threads belong to the harness's node processes, which outlive single suites. */
public final class HarnessThreadFilter implements ThreadFilter {
    @Override
    public boolean reject(Thread t) {
        return t.getName().startsWith("process reaper");
    }
}
