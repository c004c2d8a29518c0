package org.omnispark.trainer.infra;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code ckpt-N} folders of a checkpoint directory ({@link CheckpointManager}): which are committed (a marker),
 * which is the newest readable one, and which are deleted after a commit.
 */
final class CheckpointFolders {

    private CheckpointFolders() {}

    /** @return the folders with a commit marker (readable or not), oldest first */
    static List<Path> committed(FileSystem fs, Path directory) throws IOException {
        List<Path> result = new ArrayList<>();
        for (FileStatus status : folders(fs, directory)) {
            if (fs.exists(new Path(status.getPath(), CheckpointFormat.MARKER))) {
                result.add(status.getPath());
            }
        }
        return result;
    }

    /**
     * @return the newest committed folder whose marker can be read; newer ones whose marker cannot are passed over,
     *     and said so on standard error
     */
    static Optional<Path> latest(FileSystem fs, Path directory) throws IOException {
        List<Path> all = committed(fs, directory);
        for (int i = all.size() - 1; i >= 0; i--) {
            String problem = markerProblem(fs, all.get(i));
            if (problem == null) {
                return Optional.of(all.get(i));
            }
            System.err.println("omnispark: checkpoint " + all.get(i) + " has a damaged commit marker (" + problem
                    + "); falling back to " + (i > 0 ? all.get(i - 1).getName() : "the start"));
        }
        return Optional.empty();
    }

    /** Why the folder's commit marker cannot be read (absent, damaged, another format), or null when it can. */
    static String markerProblem(FileSystem fs, Path folder) {
        try {
            new CheckpointReader(fs, folder).marker();
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /**
     * After the commit of {@code committedStep}: deletes every unmarked folder of an older step (a crashed attempt's
     * leftover) and the committed ones beyond the newest {@code keep}, marker first (so a half-deleted checkpoint is
     * never loaded); the step just committed is always kept.
     */
    static void prune(FileSystem fs, Path directory, long committedStep, int keep) throws IOException {
        List<Path> committed = new ArrayList<>();
        for (FileStatus status : folders(fs, directory)) {
            long step = CheckpointManager.stepOf(status.getPath());
            if (fs.exists(new Path(status.getPath(), CheckpointFormat.MARKER))) {
                committed.add(status.getPath());
            } else if (step < committedStep) {
                fs.delete(status.getPath(), true);
            }
        }
        for (int i = 0; i < committed.size() - keep; i++) {
            Path old = committed.get(i);
            if (CheckpointManager.stepOf(old) != committedStep) {
                fs.delete(new Path(old, CheckpointFormat.MARKER), false); // uncommit first
                fs.delete(old, true);
            }
        }
    }

    /** The {@code ckpt-N} folders, by step. */
    private static List<FileStatus> folders(FileSystem fs, Path directory) throws IOException {
        if (!fs.exists(directory)) {
            return List.of();
        }
        List<FileStatus> result = new ArrayList<>();
        for (FileStatus status : fs.listStatus(directory)) {
            if (status.isDirectory() && CheckpointManager.stepOf(status.getPath()) >= 0) {
                result.add(status);
            }
        }
        result.sort(Comparator.comparingLong(s -> CheckpointManager.stepOf(s.getPath())));
        return result;
    }
}
