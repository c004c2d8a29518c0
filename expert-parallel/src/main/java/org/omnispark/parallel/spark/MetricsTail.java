package org.omnispark.parallel.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.omnispark.data.config.ConfigLoader;

/**
 * The driver's progress display for a job whose ranks run elsewhere: follows the metrics.jsonl rank 0 appends to and
 * prints one line per logged step (step, loss, frames/s and the slowest rank's split of the step time).
 */
final class MetricsTail implements AutoCloseable {

    private final Path file;
    private final PrintStream console;
    private final Thread thread;
    private volatile boolean running = true;
    private long position;

    private MetricsTail(Path file, PrintStream console) {
        this.file = file;
        this.console = console;
        this.position = fileLength(file); // a resumed run appends: show only what this run writes
        this.thread = new Thread(this::loop, "omnispark-metrics-tail");
        this.thread.setDaemon(true);
    }

    static MetricsTail start(Path file, PrintStream console) {
        MetricsTail tail = new MetricsTail(file, console);
        tail.thread.start();
        return tail;
    }

    private static long fileLength(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private void loop() {
        while (running) {
            poll();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
        poll();
    }

    private void poll() {
        if (!Files.exists(file)) {
            return;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            if (in.length() <= position) {
                return;
            }
            in.seek(position);
            byte[] bytes = new byte[(int) (in.length() - position)];
            in.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return;
            }
            position += text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
            for (String line : text.substring(0, end).split("\n")) {
                if (!line.isBlank()) {
                    console.println(format(ConfigLoader.json().readTree(line)));
                }
            }
        } catch (IOException | RuntimeException e) {
            console.println("(progress display: " + e.getMessage() + ")");
        }
    }

    /** One progress line from a metrics.jsonl record. */
    static String format(JsonNode record) {
        StringBuilder sb = new StringBuilder("step ").append(record.path("step").asLong());
        JsonNode losses = record; // flat: step, epoch, loss parts, lr, grad_norm, tokens_per_s, rank<r>/...
        if (losses.has("valid_cer")) {
            return sb.append(String.format(Locale.ROOT, " | validation loss %.4f, CER %.2f%%",
                    losses.path("valid_loss").asDouble(), 100 * losses.path("valid_cer").asDouble())).toString();
        }
        sb.append(String.format(Locale.ROOT, " | loss %.4f | lr %.2e", losses.path("loss").asDouble(),
                record.path("lr").asDouble()));
        if (record.path("tokens_per_s").isNumber()) {
            sb.append(String.format(Locale.ROOT, " | %.0f frames/s", record.path("tokens_per_s").asDouble()));
        }
        int slowest = -1;
        double slowestTime = -1;
        for (Map.Entry<String, JsonNode> e : losses.properties()) {
            if (e.getKey().endsWith("/step_s") && e.getValue().asDouble() > slowestTime) {
                slowestTime = e.getValue().asDouble();
                slowest = Integer.parseInt(e.getKey().substring(4, e.getKey().indexOf('/')));
            }
        }
        if (slowest >= 0) {
            String r = "rank" + slowest + "/";
            sb.append(String.format(Locale.ROOT, " | slowest rank %d: %.2fs = compute %.2f, dispatch %.2f, "
                    + "combine %.2f, all-reduce %.2f, wait %.2f", slowest, slowestTime,
                    losses.path(r + "compute_s").asDouble(), losses.path(r + "dispatch_s").asDouble(),
                    losses.path(r + "combine_s").asDouble(), losses.path(r + "allreduce_s").asDouble(),
                    losses.path(r + "wait_s").asDouble()));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poll();
    }
}
