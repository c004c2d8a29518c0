package org.omnispark.trainer.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.OutputStreamWriter;
import java.nio.file.Path;
import java.util.Map;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;

/**
 * Writes one JSON object per step, one per line, appending to the file (so a resumed run continues the same log):
 *
 * <pre>
 *   {"step":100,"epoch":0,"loss":3.2,"ctc":4.1,"att":2.8,"lr":0.0004,"grad_norm":1.7,"tokens_per_s":5200.0,
 *    "time":1.7e9}
 * </pre>
 *
 * Loss parts are top-level keys (they must not collide with step, epoch, lr, grad_norm, tokens_per_s, time).
 * Non-finite numbers are written as strings ("NaN", "Infinity") so that every line stays valid JSON.
 */
public final class JsonLinesMetricsWriter implements MetricsWriter {

    private static final java.util.Set<String> RESERVED =
            java.util.Set.of("step", "epoch", "lr", "grad_norm", "tokens_per_s", "time");
    private final BufferedWriter out;
    private final org.apache.hadoop.fs.FSDataOutputStream stream;

    /**
     * Opens (appends to) a JSON-lines file on the local disk, creating parent folders.
     *
     * @param file e.g. {@code exp/run1/metrics.jsonl}
     * @throws IOException if it cannot be opened
     */
    public JsonLinesMetricsWriter(Path file) throws IOException {
        this(Storage.of(new org.apache.hadoop.conf.Configuration()), Location.of(file));
    }

    /**
     * Opens (appends to) a JSON-lines file on any Hadoop file system, creating parent folders. Lines are flushed
     * ({@code hflush}) as they are written where the file system can; on an object store the file appears when the
     * writer closes.
     *
     * @param storage the storage of the file
     * @param file e.g. {@code hdfs://nn/exp/run1/metrics.jsonl}
     * @throws IOException if it cannot be opened
     */
    public JsonLinesMetricsWriter(Storage storage, Location file) throws IOException {
        this.stream = storage.append(file);
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
    }

    @Override
    public void write(StepMetrics metrics) throws IOException {
        out.write(toJson(metrics));
        out.write('\n');
        out.flush();
        stream.hflush();
    }

    /**
     * Formats one line (without the newline).
     *
     * @param metrics the step
     * @return a JSON object
     */
    public String toJson(StepMetrics metrics) {
        return record(metrics);
    }

    /**
     * Formats one line (without the newline), as {@link #write} writes it.
     *
     * @param metrics the step
     * @return a JSON object
     */
    public static String record(StepMetrics metrics) {
        ObjectMapper json = ConfigLoader.json();
        ObjectNode node = json.createObjectNode();
        node.put("step", metrics.step());
        node.put("epoch", metrics.epoch());
        for (Map.Entry<String, Double> loss : metrics.losses().entrySet()) {
            if (RESERVED.contains(loss.getKey())) {
                throw new IllegalArgumentException("loss name '" + loss.getKey() + "' collides with a reserved key "
                        + RESERVED + "; rename it (e.g. loss_" + loss.getKey() + ")");
            }
            putNumber(node, loss.getKey(), loss.getValue());
        }
        putNumber(node, "lr", metrics.learningRate());
        putNumber(node, "grad_norm", metrics.gradNorm());
        putNumber(node, "tokens_per_s", metrics.tokensPerSecond());
        putNumber(node, "time", metrics.wallTimeSeconds());
        try {
            return json.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putNumber(ObjectNode node, String key, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.put(key, Double.toString(value));
        } else {
            node.put(key, value);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
