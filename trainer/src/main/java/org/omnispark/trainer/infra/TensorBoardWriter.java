package org.omnispark.trainer.infra;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
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

    private final Location file;
    private final org.apache.hadoop.fs.FSDataOutputStream out;

    /**
     * Creates a new event file in a local log folder.
     *
     * @param logDir the folder TensorBoard is pointed at (created if absent)
     * @param wallTimeSeconds the creation time (names the file; the file-version event carries it)
     * @throws IOException if the file cannot be created
     */
    public TensorBoardWriter(Path logDir, double wallTimeSeconds) throws IOException {
        this(Storage.of(new org.apache.hadoop.conf.Configuration()), Location.of(logDir), wallTimeSeconds);
    }

    /**
     * Creates a new event file in a log folder on any Hadoop file system (TensorBoard reads HDFS and S3 folders
     * too). Events are flushed ({@code hflush}) as they are written where the file system can.
     *
     * @param storage the storage of the folder
     * @param logDir the folder TensorBoard is pointed at (created if absent)
     * @param wallTimeSeconds the creation time (names the file; the file-version event carries it)
     * @throws IOException if the file cannot be created
     */
    public TensorBoardWriter(Storage storage, Location logDir, double wallTimeSeconds) throws IOException {
        storage.mkdirs(logDir);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            host = "localhost";
        }
        String name = "events.out.tfevents." + (long) wallTimeSeconds + "." + host;
        Location candidate = logDir.resolve(name);
        for (int n = 1; storage.exists(candidate); n++) { // two writers in the same second
            candidate = logDir.resolve(name + "." + n);
        }
        this.file = candidate;
        this.out = storage.fs(file).create(file.toHadoop(), false);
        writeEvent(new TensorBoardEvent(wallTimeSeconds, 0, "brain.Event:2", Map.of()));
    }

    /** @return the event file being written */
    public Location file() {
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
        out.hflush();
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
