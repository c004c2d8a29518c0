package org.omnispark.trainer.infra;

import java.io.Closeable;
import java.io.IOException;

/** A sink for per-step training metrics (JSON lines, TensorBoard, ...). Writes are flushed per call. */
public interface MetricsWriter extends Closeable {

    /**
     * Records one step.
     *
     * @param metrics the step's values
     * @throws IOException if the sink cannot be written
     */
    void write(StepMetrics metrics) throws IOException;
}
