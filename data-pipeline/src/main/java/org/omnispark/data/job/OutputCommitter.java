package org.omnispark.data.job;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.reader.DatasetManifest;

/**
 * All-or-nothing output: the job writes into a hidden sibling folder {@code .NAME.inprogress-RUNID} and, when
 * everything is written, renames it to {@code NAME} in one step. A crashed run leaves only an in-progress folder,
 * which the next run deletes; so a re-run neither duplicates nor loses rows. The rename is atomic on local disks
 * and HDFS; on object stores (S3A) it is a copy, so a crash during the commit itself can leave a partial folder
 * without {@code dataset.json}, which readers refuse and the next run replaces.
 */
public final class OutputCommitter {
    private final FileSystem fs;
    private final Path output;
    private final Path work;
    private final boolean overwrite;

    private OutputCommitter(FileSystem fs, Path output, Path work, boolean overwrite) {
        this.fs = fs;
        this.output = output;
        this.work = work;
        this.overwrite = overwrite;
    }

    /**
     * Prepares a run: checks the output, deletes in-progress folders of crashed runs, creates the work folder.
     *
     * @param output the dataset folder to produce
     * @param overwrite replace an existing complete dataset
     */
    public static OutputCommitter begin(String output, boolean overwrite, Configuration conf) {
        try {
            Path out = new Path(output);
            FileSystem fs = out.getFileSystem(conf);
            out = fs.makeQualified(out);
            Path parent = out.getParent();
            fs.mkdirs(parent);
            if (fs.exists(out)) {
                boolean complete = fs.exists(new Path(out, DatasetManifest.FILE_NAME));
                if (complete && !overwrite) {
                    throw new IllegalStateException(out + " already holds a prepared dataset; pass --overwrite to "
                            + "replace it, or choose another --out");
                }
                if (!complete && fs.listStatus(out).length > 0) {
                    throw new IllegalStateException(out + " exists and is not a prepared dataset (no "
                            + DatasetManifest.FILE_NAME + "); move it away or choose another --out");
                }
                if (!complete) {
                    fs.delete(out, true);
                }
            }
            String prefix = "." + out.getName() + ".inprogress-";
            for (FileStatus st : fs.listStatus(parent)) {
                if (st.getPath().getName().startsWith(prefix)) {
                    fs.delete(st.getPath(), true);
                }
            }
            Path work = new Path(parent, prefix + UUID.randomUUID());
            fs.mkdirs(work);
            return new OutputCommitter(fs, out, work, overwrite);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + output, e);
        }
    }

    /** The folder the run writes into. */
    public Path work() {
        return work;
    }

    /** A path inside the work folder. */
    public Path work(String child) {
        return new Path(work, child);
    }

    /** The final dataset folder. */
    public Path output() {
        return output;
    }

    /** The file system of the output. */
    public FileSystem fs() {
        return fs;
    }

    /** Writes a small UTF-8 text file into the work folder. */
    public void writeText(String child, String text) {
        try (OutputStream out = fs.create(work(child), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + work(child), e);
        }
    }

    /** Renames a file or folder inside the work folder. */
    public void rename(Path from, Path to) {
        try {
            fs.mkdirs(to.getParent());
            if (!fs.rename(from, to)) {
                throw new IOException("rename returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + from + " to " + to, e);
        }
    }

    /** Deletes a path inside the work folder (staging data). */
    public void delete(String child) {
        try {
            fs.delete(work(child), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes the work folder as the dataset: the last step of a run. */
    public void commit() {
        try {
            Path old = null;
            if (fs.exists(output)) {
                if (!overwrite) {
                    throw new IllegalStateException(output + " appeared during the run; not replacing it");
                }
                old = new Path(output.getParent(), "." + output.getName() + ".replaced-" + UUID.randomUUID());
                rename(output, old);
            }
            rename(work, output);
            if (old != null) {
                fs.delete(old, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit " + output, e);
        }
    }

    /** Removes the work folder after a failure. */
    public void abort() {
        try {
            fs.delete(work, true);
        } catch (IOException ignored) {
            // Best effort: the next run deletes leftover in-progress folders anyway.
        }
    }
}
