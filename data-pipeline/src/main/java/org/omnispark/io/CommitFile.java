package org.omnispark.io;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * Writes a small file that must never be seen half-written (a commit marker: dataset.json, a checkpoint's
 * checkpoint.json, a shard's done marker), on any Hadoop file system.
 *
 * <ul>
 *   <li>Where rename is atomic (local disk, HDFS and the file systems layered on it): the bytes go to a hidden
 *       temporary file beside the target, made durable ({@code hsync}), then renamed onto the target. A writer that
 *       dies mid-write leaves only the temporary file, which readers never look at.</li>
 *   <li>On object stores (S3A, GCS, ABFS, ...), where rename is a copy and a single PUT is atomic: written in
 *       place; the object becomes visible whole when the stream closes.</li>
 * </ul>
 */
public final class CommitFile {
    /** Schemes whose rename of a file is atomic. Others are treated as object stores. */
    private static final Set<String> ATOMIC_RENAME = Set.of("file", "hdfs", "viewfs", "webhdfs", "swebhdfs", "ofs",
            "o3fs");
    /** The prefix of temporary files (hidden from Hadoop and Spark listings by the leading dot). */
    public static final String TEMP_PREFIX = ".commit-tmp-";

    private CommitFile() {
    }

    /** Whether files on {@code fs} are committed by write-then-rename (else written in place). */
    public static boolean renameIsAtomic(FileSystem fs) {
        String scheme = fs.getUri().getScheme();
        return scheme != null && ATOMIC_RENAME.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /**
     * Writes {@code bytes} to {@code target} so that the file is either absent (or its previous content) or whole.
     *
     * @param fs the target's file system
     * @param target the file to write (replaced if present)
     * @param bytes its content
     * @throws IOException when the file cannot be written
     */
    public static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
        if (!renameIsAtomic(fs)) {
            writeDurably(fs, target, bytes);
            return;
        }
        Path temp = new Path(target.getParent(), TEMP_PREFIX + target.getName() + "-" + UUID.randomUUID());
        try {
            writeDurably(fs, temp, bytes);
            if (!fs.rename(temp, target)) {
                // HDFS does not rename onto an existing file: replace it (the old content stays whole until here)
                fs.delete(target, false);
                if (!fs.rename(temp, target)) {
                    throw new IOException("cannot rename " + temp + " to " + target);
                }
            }
        } finally {
            if (fs.exists(temp)) {
                fs.delete(temp, false);
            }
        }
    }

    private static void writeDurably(FileSystem fs, Path p, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(bytes);
            if (out.hasCapability(StreamCapabilities.HSYNC)) {
                out.hsync(); // HDFS, local disk; an object store makes the file durable on close
            }
        }
    }
}
