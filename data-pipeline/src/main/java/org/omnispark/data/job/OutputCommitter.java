package org.omnispark.data.job;

import org.omnispark.io.CommitFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.reader.DatasetManifest;

/**
 * The output protocol of {@code prepare}, safe on object stores (S3A, GCS, ABFS) because visibility never rests on
 * a rename: the job writes the dataset's files in place and writes {@code dataset.json} last; a folder without it is
 * not a dataset, and readers check the shards it lists ({@link DatasetManifest#read}). Work that outlives a crash
 * lives in {@code OUT/_work/}: the {@code plan.json} of the run (a fingerprint of its inputs and config), the
 * tokenizer, and a marker per finished shard ({@code done/shard-NNNNN.json}, written after its file in
 * {@code OUT/shards/} is complete).
 *
 * <p>What a run does with what it finds at OUT:
 * <ul>
 *   <li>nothing, or an empty folder: starts;</li>
 *   <li>a dataset ({@code dataset.json}): refuses, or with overwrite deletes {@code dataset.json} first (so the
 *       folder is never a half-replaced dataset), then the rest, and starts;</li>
 *   <li>the leftovers of a crashed run with the same fingerprint: resumes, keeping its finished shards (those with
 *       a marker; a shard without one is made again) and deleting the rest (rejects, temporary files);</li>
 *   <li>leftovers with another fingerprint (the inputs or config changed): deletes them and starts over;</li>
 *   <li>anything else: refuses, whatever overwrite says (it is not OmniSpark's to delete).</li>
 * </ul>
 */
public final class OutputCommitter {
    /** The folder of work that survives a crash. */
    public static final String WORK = "_work";
    static final String PLAN = "plan.json";
    /** The folder of shard files; a shard counts as finished when its marker is in {@code _work/done}. */
    static final String SHARDS = "shards";

    private final FileSystem fs;
    private final Path output;
    private final boolean resumed;

    private OutputCommitter(FileSystem fs, Path output, boolean resumed) {
        this.fs = fs;
        this.output = output;
        this.resumed = resumed;
    }

    /**
     * Prepares a run at {@code output}.
     *
     * @param overwrite replace an existing complete dataset
     * @param fingerprint what identifies the run's inputs and config; a crashed run with the same one is resumed
     */
    public static OutputCommitter begin(String output, boolean overwrite, Configuration conf, String fingerprint) {
        try {
            Path out = new Path(output);
            FileSystem fs = out.getFileSystem(conf);
            if (fs instanceof LocalFileSystem local) {
                fs = local.getRaw(); // no .crc side files for the job's own small files
            }
            out = fs.makeQualified(out);
            boolean resumed = false;
            if (fs.exists(out)) {
                Path marker = new Path(out, DatasetManifest.FILE_NAME);
                Path plan = new Path(out, WORK + "/" + PLAN);
                if (fs.exists(marker)) {
                    if (!overwrite) {
                        throw new IllegalStateException(out + " already holds a prepared dataset; pass --overwrite"
                                + " to replace it, or choose another --out");
                    }
                    fs.delete(marker, false); // un-publish first: never a half-replaced dataset
                    fs.delete(out, true);
                } else if (fs.exists(plan)) {
                    if (fingerprint.equals(readText(fs, plan))) {
                        resumed = true;
                        for (FileStatus st : fs.listStatus(out)) {
                            String name = st.getPath().getName();
                            if (!name.equals(WORK) && !name.equals(SHARDS)) {
                                fs.delete(st.getPath(), true);
                            }
                        }
                        fs.delete(new Path(out, WORK + "/tmp"), true);
                    } else {
                        fs.delete(out, true); // an earlier run with other inputs or config: its work is stale
                    }
                } else if (onlyWorkOfARun(fs, out)) {
                    fs.delete(out, true); // a run killed before its plan.json was written: nothing to keep
                } else if (fs.listStatus(out).length > 0) {
                    throw new IllegalStateException(out + " exists and is not a prepared dataset (no "
                            + DatasetManifest.FILE_NAME + ") nor the work of one; move it away or choose another"
                            + " --out");
                }
            }
            fs.mkdirs(new Path(out, WORK));
            OutputCommitter c = new OutputCommitter(fs, out, resumed);
            if (!resumed) {
                c.writeText(WORK + "/" + PLAN, fingerprint);
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + output + ": " + e.getMessage(), e);
        }
    }

    /** Whether this run continues a crashed one (its finished shards are kept). */
    public boolean resumed() {
        return resumed;
    }

    /** A path inside the work folder. */
    public Path work(String child) {
        return new Path(new Path(output, WORK), child);
    }

    /** A path inside the dataset folder. */
    public Path output(String child) {
        return new Path(output, child);
    }

    /** The dataset folder. */
    public Path output() {
        return output;
    }

    /** The file system of the output. */
    public FileSystem fs() {
        return fs;
    }

    /** Whether a path exists. */
    public boolean exists(Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up " + p, e);
        }
    }

    /** Writes a small UTF-8 text file (relative to the dataset folder), whole or not at all ({@link CommitFile}). */
    public void writeText(String child, String text) {
        Path p = output(child);
        try {
            CommitFile.write(fs, p, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p, e);
        }
    }

    /** Moves a file inside the output (visibility does not depend on it: dataset.json comes last). */
    public void move(Path from, Path to) {
        try {
            fs.mkdirs(to.getParent());
            if (!fs.rename(from, to)) {
                throw new IOException("rename returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to, e);
        }
    }

    /** Deletes a path (recursively). */
    public void delete(Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p, e);
        }
    }

    /** Publishes the dataset: writes {@code dataset.json}, the last file, then removes the work folder. */
    public void commit(String datasetJson) {
        writeText(DatasetManifest.FILE_NAME, datasetJson);
        delete(new Path(output, WORK));
    }

    /** Whether the folder holds nothing but a {@value #WORK} folder (and {@value #SHARDS}), i.e. a run's own work. */
    private static boolean onlyWorkOfARun(FileSystem fs, Path out) throws IOException {
        FileStatus[] children = fs.listStatus(out);
        boolean work = false;
        for (FileStatus st : children) {
            String name = st.getPath().getName();
            if (name.equals(WORK)) {
                work = true;
            } else if (!name.equals(SHARDS)) {
                return false;
            }
        }
        return work;
    }

    private static String readText(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
