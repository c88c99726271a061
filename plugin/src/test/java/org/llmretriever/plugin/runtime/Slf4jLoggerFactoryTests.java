package org.llmretriever.plugin.runtime;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.opensearch.test.MockLogAppender;
import org.opensearch.test.OpenSearchTestCase;
import org.slf4j.Logger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the encoder's and DJL's slf4j calls become inside the node: loggers that write to log4j. */
public class Slf4jLoggerFactoryTests extends OpenSearchTestCase {

    /** Every event of one logger, as "LEVEL message" (MockLogAppender's own expectations assume org.opensearch names). */
    private static final class Recorded implements MockLogAppender.LoggingExpectation {
        final String loggerName;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Recorded(String loggerName) {
            this.loggerName = loggerName;
        }

        @Override
        public void match(LogEvent event) {
            if (event.getLoggerName().equals(loggerName)) {
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        }

        @Override
        public void assertMatched() {}
    }

    public void testLinesReachLog4jUnderTheClassName() throws Exception {
        String name = Slf4jLoggerFactoryTests.class.getName();
        Logger logger = Slf4jLoggerFactory.getLogger(Slf4jLoggerFactoryTests.class);
        assertEquals(name, logger.getName());
        Recorded recorded = new Recorded(name);
        try (MockLogAppender appender = MockLogAppender.createForLoggers(LogManager.getLogger(name))) {
            appender.addExpectation(recorded);
            logger.info("loading {} on {}", "tiny-llama", "cpu");
            logger.warn("native library missing");
        }
        assertEquals(List.of(Level.INFO + " loading tiny-llama on cpu", Level.WARN + " native library missing"), recorded.lines);
    }

    public void testOneFactoryForAllNames() {
        assertSame(Slf4jLoggerFactory.getILoggerFactory(), Slf4jLoggerFactory.getILoggerFactory());
        assertSame(Slf4jLoggerFactory.getLogger("a.b.C"), Slf4jLoggerFactory.getILoggerFactory().getLogger("a.b.C"));
    }
}
