package org.omnispark.trainer.train;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a TensorBoard event file ({@code events.out.tfevents.<seconds>.<host>}) of scalar summaries, without any
 * TensorFlow dependency: TFRecord framing ({@link TfRecords}) around hand-encoded Event protobufs ({@link
 * TensorBoardEvent}). The first record is the {@code brain.Event:2} file-version event. Each {@link #write} is one
 * Event whose Summary holds the step's scalars under tags {@code train/<loss part>}, {@code train/lr}, {@code
 * train/grad_norm}, {@code train/tokens_per_s} (NaN values are skipped). Flushed after every event.
 */
public final class TensorBoardWriter implements MetricsWriter {

    private final Path file;
    private final OutputStream out;

    /**
     * Creates a new event file in a log folder.
     *
     * @param logDir the folder TensorBoard is pointed at (created if absent)
     * @param wallTimeSeconds the creation time (names the file; the file-version event carries it)
     * @throws IOException if the file cannot be created
     */
    public TensorBoardWriter(Path logDir, double wallTimeSeconds) throws IOException {
        Files.createDirectories(logDir);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            host = "localhost";
        }
        Path candidate = logDir.resolve("events.out.tfevents." + (long) wallTimeSeconds + "." + host);
        for (int n = 1; Files.exists(candidate); n++) { // two writers in the same second
            candidate = logDir.resolve("events.out.tfevents." + (long) wallTimeSeconds + "." + host + "." + n);
        }
        this.file = candidate;
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeEvent(new TensorBoardEvent(wallTimeSeconds, 0, "brain.Event:2", Map.of()));
    }

    /** @return the event file being written */
    public Path file() {
        return file;
    }

    /**
     * Writes scalars for one step.
     *
     * @param step the global step
     * @param wallTimeSeconds seconds since the Unix epoch
     * @param scalars tag to value
     * @throws IOException on write failure
     */
    public void addScalars(long step, double wallTimeSeconds, Map<String, Float> scalars) throws IOException {
        writeEvent(new TensorBoardEvent(wallTimeSeconds, step, "", scalars));
    }

    @Override
    public void write(StepMetrics metrics) throws IOException {
        Map<String, Float> scalars = new LinkedHashMap<>();
        metrics.losses().forEach((name, value) -> putFinite(scalars, "train/" + name, value));
        putFinite(scalars, "train/lr", metrics.learningRate());
        putFinite(scalars, "train/grad_norm", metrics.gradNorm());
        putFinite(scalars, "train/tokens_per_s", metrics.tokensPerSecond());
        addScalars(metrics.step(), metrics.wallTimeSeconds(), scalars);
    }

    private static void putFinite(Map<String, Float> scalars, String tag, double value) {
        if (!Double.isNaN(value)) {
            scalars.put(tag, (float) value);
        }
    }

    private void writeEvent(TensorBoardEvent event) throws IOException {
        TfRecords.write(out, event.encode());
        out.flush();
    }

    /**
     * Reads an event file back (checking every CRC).
     *
     * @param file an event file
     * @return its events in order, the file-version event first
     * @throws IOException on a corrupt or truncated file
     */
    public static List<TensorBoardEvent> read(Path file) throws IOException {
        List<TensorBoardEvent> events = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            for (byte[] record : TfRecords.readAll(in)) {
                events.add(TensorBoardEvent.decode(record));
            }
        }
        return events;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
