package org.llmretriever.cli;

import org.junit.Test;
import picocli.CommandLine;

import static org.junit.Assert.assertEquals;

/** The training recipe {@code adapt} builds from its command line, before any model or corpus is read. */
public class AdaptDefaultsTest {
    private static AdaptCommand parse(String... args) {
        AdaptCommand cmd = new AdaptCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    public void llm2irAloneDefaultsToItsOwnStepCountOtherObjectivesToTheTrainerDefault() {
        assertEquals(AdaptCommand.LLM2IR_STEPS, parse("--model", "m", "--beir", "d", "--out", "o").trainConfig().steps);
        assertEquals(1300, AdaptCommand.LLM2IR_STEPS);
        assertEquals(300, parse("--model", "m", "--beir", "d", "--out", "o", "--objective", "llara").trainConfig().steps);
        assertEquals(300, parse("--model", "m", "--beir", "d", "--out", "o", "--objective", "llara,llm2ir").trainConfig().steps);
        assertEquals(17, parse("--model", "m", "--beir", "d", "--out", "o", "--steps", "17").trainConfig().steps);
    }
}
