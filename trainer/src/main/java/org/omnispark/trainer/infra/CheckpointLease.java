package org.omnispark.trainer.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.io.CommitFile;

/**
 * Who may commit and prune in a checkpoint folder: {@code <dir>/_owner.json} names the run (a job id) and its
 * attempt; it is written only by {@link #claim}. The owner shows it is alive by rewriting its own file
 * {@code <dir>/_heartbeat/<run>-<attempt>} every {@code heartbeat} (its own, so that a superseded attempt's heartbeat
 * can never overwrite the new owner's claim).
 *
 * <ul>
 *   <li>Another run finds a fresh heartbeat and is refused, with a message naming the owner: two jobs writing one
 *       folder would prune and overwrite each other's checkpoints.</li>
 *   <li>A later attempt of the same run (a retried stage), or any run once the heartbeat is older than
 *       {@code stale}, takes over. The earlier attempt's ranks may still be running (a zombie, a slow rank): before
 *       committing a marker or pruning, {@link CheckpointManager} calls {@link #verify()}, which fails once the file
 *       names someone else, so a superseded attempt can no longer commit or delete anything.</li>
 * </ul>
 * One owner per lease object; {@link #close()} stops and joins its heartbeat thread.
 */
public final class CheckpointLease implements AutoCloseable {
    /** The lease file's name in the checkpoint folder. */
    public static final String FILE = "_owner.json";

    private final FileSystem fs;
    private final Path file;
    private final String runId;
    private final int attempt;
    private final ScheduledExecutorService heartbeat;

    private CheckpointLease(FileSystem fs, Path file, String runId, int attempt, Duration every) {
        this.fs = fs;
        this.file = file;
        this.runId = runId;
        this.attempt = attempt;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "checkpoint-lease " + runId + "/" + attempt);
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, every.toMillis());
        heartbeat.scheduleWithFixedDelay(this::beat, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Claims {@code directory} for (runId, attempt).
     *
     * @param directory the checkpoint folder
     * @param conf the Hadoop configuration of the folder's file system
     * @param runId this run (a Spark application and job, or a random id for one process)
     * @param attempt this attempt of the run; a higher attempt of the same run takes over
     * @param heartbeat how often the owner shows it is alive
     * @param stale after how long without a heartbeat another run may take over
     * @return the lease, owned by the caller
     * @throws IllegalStateException when another live run, or a later attempt of this one, owns the folder
     */
    public static CheckpointLease claim(Path directory, Configuration conf, String runId, int attempt,
            Duration heartbeat, Duration stale) {
        Path file = new Path(directory, FILE);
        try {
            FileSystem fs = directory.getFileSystem(conf);
            fs.mkdirs(directory);
            JsonNode current = read(fs, file);
            if (current != null) {
                String owner = current.path("run_id").asText();
                int ownerAttempt = current.path("attempt").asInt();
                long age = age(fs, heartbeatFile(directory, owner, ownerAttempt));
                boolean sameRun = owner.equals(runId);
                if (sameRun && ownerAttempt > attempt) {
                    throw new IllegalStateException("checkpoint folder " + directory + " belongs to attempt "
                            + ownerAttempt + " of this run; attempt " + attempt + " stops");
                }
                if (!sameRun && age < stale.toMillis()) {
                    throw new IllegalStateException("checkpoint folder " + directory + " is in use by run " + owner
                            + " (attempt " + ownerAttempt + ", alive " + age / 1000 + " s ago): two runs writing one "
                            + "folder would delete each other's checkpoints; stop that run, wait " + stale.toSeconds()
                            + " s after it died, or choose another --out");
                }
            }
            ObjectNode node = ConfigLoader.json().createObjectNode();
            node.put("run_id", runId);
            node.put("attempt", attempt);
            node.put("claimed_millis", System.currentTimeMillis());
            writeBeat(fs, heartbeatFile(directory, runId, attempt));
            CommitFile.write(fs, file, ConfigLoader.json().writeValueAsBytes(node));
            return new CheckpointLease(fs, file, runId, attempt, heartbeat);
        } catch (IOException e) {
            throw CheckpointManager.failure("cannot claim checkpoint folder " + directory, e);
        }
    }

    /**
     * Fails when this lease no longer owns the folder (another attempt or run took over).
     *
     * @param what what the caller is about to do, for the message
     */
    public void verify(String what) {
        JsonNode current;
        try {
            current = read(fs, file);
        } catch (IOException e) {
            throw CheckpointManager.failure("cannot read the owner of " + file.getParent() + " before " + what, e);
        }
        if (current == null || !runId.equals(current.path("run_id").asText())
                || attempt != current.path("attempt").asInt()) {
            throw new IllegalStateException("run " + runId + " attempt " + attempt + " no longer owns "
                    + file.getParent() + " (now: " + (current == null ? "nobody" : current.path("run_id").asText()
                    + " attempt " + current.path("attempt").asInt()) + "), so it does not " + what);
        }
    }

    private void beat() {
        try {
            verify("renew its lease");
            writeBeat(fs, heartbeatFile(file.getParent(), runId, attempt));
        } catch (RuntimeException | IOException e) {
            heartbeat.shutdown(); // superseded or unreachable: stop showing signs of life
        }
    }

    private static Path heartbeatFile(Path directory, String runId, int attempt) {
        return new Path(directory, "_heartbeat/" + runId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + attempt);
    }

    private static void writeBeat(FileSystem fs, Path beat) throws IOException {
        CommitFile.write(fs, beat, Long.toString(System.currentTimeMillis()).getBytes(
                java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** Milliseconds since the file was last written (by the file system's clock), or MAX_VALUE when absent. */
    private static long age(FileSystem fs, Path beat) throws IOException {
        try {
            return System.currentTimeMillis() - fs.getFileStatus(beat).getModificationTime();
        } catch (FileNotFoundException absent) {
            return Long.MAX_VALUE;
        }
    }

    private static JsonNode read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return ConfigLoader.json().readTree(in);
        } catch (FileNotFoundException absent) {
            return null;
        }
    }

    /**
     * Gives the folder up after a run that ended well: stops the heartbeat and deletes the claim if it is still this
     * lease's, so that the next run may start at once. (After a failure, close without releasing: the claim goes
     * stale, and a retry of the same run takes over at once.)
     */
    public void release() {
        close();
        try {
            verify("release the folder");
            fs.delete(file, false);
            fs.delete(heartbeatFile(file.getParent(), runId, attempt), false);
        } catch (IOException | IllegalStateException e) {
            // superseded or unreachable: nothing of ours to give up
        }
    }

    /** Stops the heartbeat and joins its thread; the claim stays and goes stale. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            if (!heartbeat.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the heartbeat thread of checkpoint lease " + runId + "/" + attempt
                        + " did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted while stopping the "
                    + "heartbeat of " + file));
        }
    }
}
