package org.llmretriever.trainer.objective;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * The loss of one micro-batch with what it cost.
 *
 * @param loss scalar to back-propagate
 * @param parts named components (scalars) for the metrics log
 * @param tokens real tokens processed
 * @param forwardFlops forward FLOPs of the batch (matmuls), for throughput and MFU
 */
public record TrainingBatch(NDArray loss, Map<String, NDArray> parts, long tokens, double forwardFlops) {}
