package org.llmretriever.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.temporal.ChronoUnit;

/** Progress bars with ETA: animated on a terminal, one line every few seconds in logs (CI). */
final class Progress {
    private Progress() {}

    static ProgressBar bar(String task, long max, String unit) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
            .setUnit(" " + unit, 1).showSpeed().setSpeedUnit(ChronoUnit.SECONDS).setMaxRenderedLength(120);
        if (System.console() == null) {
            b.setConsumer(new DelegatingProgressBarConsumer(System.out::println, 120)).setUpdateIntervalMillis(5000);
        } else {
            b.setConsumer(new ConsoleProgressBarConsumer(System.out));
        }
        return b.build();
    }
}
