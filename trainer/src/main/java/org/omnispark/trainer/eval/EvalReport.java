package org.omnispark.trainer.eval;

import org.omnispark.io.Location;
import java.util.List;

/**
 * What {@link Evaluator#run} produced.
 *
 * @param modes one result per requested mode, in request order
 * @param reportFile the report.json written
 * @param routingFile routing.json (null for a dense encoder or without the analysis package's output)
 */
public record EvalReport(List<ModeResult> modes, Location reportFile, Location routingFile) {

    /** Copies the list. */
    public EvalReport {
        modes = List.copyOf(modes);
    }

    /**
     * @param mode a mode that was run
     * @return its result
     */
    public ModeResult get(DecodeMode mode) {
        return modes.stream().filter(r -> r.mode() == mode).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(mode.id() + " was not run"));
    }
}
