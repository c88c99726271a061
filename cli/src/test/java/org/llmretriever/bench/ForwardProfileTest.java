package org.llmretriever.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.Test;

import static org.junit.Assert.assertEquals;

public class ForwardProfileTest {
    private static final double EPS = 1e-9;

    @Test
    public void selfTimesSubtractNestedOpsAndTheRestOfTheWallTimeIsOutsideOps() throws Exception {
        // Two forwards (reps = 2) on one thread: linear(100 µs) ⊃ mm(80 µs); softmax 30 µs; add 10 µs; then the same again.
        String trace = """
            {"traceEvents": [
              {"ph": "X", "cat": "cpu_op", "name": "aten::linear", "tid": 1, "ts": 0, "dur": 100},
              {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "tid": 1, "ts": 10, "dur": 80},
              {"ph": "X", "cat": "cpu_op", "name": "aten::empty", "tid": 1, "ts": 12, "dur": 1},
              {"ph": "X", "cat": "cpu_op", "name": "aten::_softmax", "tid": 1, "ts": 120, "dur": 30},
              {"ph": "X", "cat": "cpu_op", "name": "aten::add_", "tid": 1, "ts": 160, "dur": 10},
              {"ph": "X", "cat": "cpu_op", "name": "aten::linear", "tid": 1, "ts": 1000, "dur": 100},
              {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "tid": 1, "ts": 1010, "dur": 80},
              {"ph": "X", "cat": "cpu_op", "name": "aten::_softmax", "tid": 1, "ts": 1120, "dur": 30},
              {"ph": "X", "cat": "cpu_op", "name": "aten::add_", "tid": 1, "ts": 1160, "dur": 10},
              {"ph": "i", "cat": "cpu_instant_event", "name": "marker", "tid": 1, "ts": 5}
            ]}""";
        ForwardProfile.Result r = ForwardProfile.summarize(new ObjectMapper().readTree(trace), 2, 0.5);
        assertEquals("3 top-level ops per forward", 3.0, r.opsPerForward(), EPS);
        assertEquals(0.5, r.allocationsPerForward(), EPS);
        // matmul: linear self 20 + mm self 79 (80 minus the nested 1 µs allocation), then 20 + 80: 199 µs over 2 forwards
        assertEquals(0.0995, r.selfMsByClass().get("matmul"), EPS);
        assertEquals(0.030, r.selfMsByClass().get("softmax"), EPS);
        assertEquals(0.010, r.selfMsByClass().get("elementwise"), EPS);
        assertEquals(0.0005, r.selfMsByClass().get("allocation"), EPS);
        assertEquals("wall 0.5 ms minus 0.14 ms in top-level ops", 0.36, r.outsideOpsMs(), EPS);
    }

    @Test
    public void opNamesFallIntoTheirClasses() {
        assertEquals("matmul", ForwardProfile.classOf("aten::addmm"));
        assertEquals("elementwise", ForwardProfile.classOf("aten::mul_"));
        assertEquals("elementwise", ForwardProfile.classOf("aten::add"));
        assertEquals("allocation", ForwardProfile.classOf("aten::empty_strided"));
        assertEquals("copy/layout", ForwardProfile.classOf("aten::_to_copy"));
        assertEquals("masking", ForwardProfile.classOf("aten::masked_fill_"));
        assertEquals("other", ForwardProfile.classOf("aten::something_new"));
    }
}
