package org.omnispark.data.reader;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import java.util.List;
import java.util.Map;
import org.omnispark.data.config.ConfigLoader;

/**
 * The {@code dataset.json} of a prepared dataset: everything a trainer needs without opening a shard. Field names
 * are snake_case in the file; docs/data-format.md describes them.
 *
 * @param formatVersion the data format's version ({@link #FORMAT_VERSION})
 * @param createdBy OmniSpark version and git commit that wrote it
 * @param sampleRate the audio rate features were computed at
 * @param featureDim values per frame
 * @param featureOptions every fbank option, as {@code FbankOptions.toMap()}
 * @param textNormalizer the normalizer options used
 * @param tokenizer the tokenizer type ("char" or "sentencepiece") and its files
 * @param cmvn global CMVN statistics over all frames of all shards
 * @param shards the shard files, relative to the dataset folder, in order
 * @param totals rows, frames, hours over all shards
 * @param accounting input rows, accepted, rejected (per reason), derived speed-perturbed rows
 * @param config the full job config that produced the dataset
 */
public record DatasetManifest(int formatVersion, String createdBy, int sampleRate, int featureDim,
                              Map<String, Object> featureOptions, Map<String, Object> textNormalizer,
                              TokenizerInfo tokenizer, Cmvn cmvn, List<ShardInfo> shards, Totals totals,
                              Map<String, Object> accounting, Map<String, Object> config) {
    /** The format version this code writes and reads. */
    public static final int FORMAT_VERSION = 2;
    /** The oldest format version this OmniSpark reads (1: features as a Parquet list of floats). */
    public static final int OLDEST_READABLE_VERSION = 1;
    /** The manifest's file name inside a dataset folder. */
    public static final String FILE_NAME = "dataset.json";

    public DatasetManifest {
        if (formatVersion < OLDEST_READABLE_VERSION || formatVersion > FORMAT_VERSION) {
            throw new IllegalArgumentException("dataset format version " + formatVersion + " is not supported by "
                    + "this OmniSpark (it reads versions " + OLDEST_READABLE_VERSION + " to " + FORMAT_VERSION
                    + "); prepare the data again with this version");
        }
        shards = List.copyOf(shards);
    }

    /**
     * @param type "char" or "sentencepiece"
     * @param unitsFile WeNet-style units.txt (token id per line), relative to the dataset folder
     * @param modelFile the SentencePiece .model relative to the dataset folder, or null
     * @param vocabSize number of ids, {@code <blank>}=0 ... {@code <sos/eos>}=vocabSize-1
     */
    public record TokenizerInfo(String type, String unitsFile, String modelFile, int vocabSize) {
    }

    /**
     * Global CMVN sums: mean = sum / frameCount, var = sumSquares / frameCount - mean^2.
     */
    public record Cmvn(double[] sum, double[] sumSquares, long frameCount) {
        /** Per-dimension mean. */
        public double[] mean() {
            double[] m = new double[sum.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = sum[i] / frameCount;
            }
            return m;
        }

        /** Per-dimension inverse standard deviation, with variance floored at {@code floor}. */
        public double[] invStd(double floor) {
            double[] mean = mean();
            double[] s = new double[sum.length];
            for (int i = 0; i < s.length; i++) {
                double var = sumSquares[i] / frameCount - mean[i] * mean[i];
                s[i] = 1.0 / Math.sqrt(Math.max(var, floor));
            }
            return s;
        }
    }

    /** @param path relative to the dataset folder */
    public record ShardInfo(String path, long rows, long frames, double hours) {
    }

    /** Totals over all shards (speed-perturbed copies included). */
    public record Totals(long rows, long frames, double hours) {
    }

    /** Reads {@code dir/dataset.json} from a local folder; see {@link #read(String, Configuration)}. */
    public static DatasetManifest read(Path dir) {
        return read(dir.toAbsolutePath().toUri().toString(), new Configuration());
    }

    /**
     * Reads {@code dataset.json} of a dataset on any Hadoop file system (local, HDFS, S3A...) and checks that every
     * shard it lists exists: {@code prepare} writes dataset.json last, so a folder without it, or with a shard
     * missing, is not (or no longer) a complete dataset.
     *
     * @param dir the dataset folder, a path or URI
     */
    public static DatasetManifest read(String dir, Configuration conf) {
        org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(dir);
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(folder, FILE_NAME);
        try {
            FileSystem fs = folder.getFileSystem(conf);
            if (!fs.exists(file)) {
                throw new IllegalArgumentException(dir + " is not a prepared dataset (no " + FILE_NAME
                        + "): run `submit/omnispark prepare --manifest ... --out " + dir + "` first (a run that"
                        + " crashed resumes when started again with the same arguments)");
            }
            DatasetManifest m;
            try (InputStream in = fs.open(file)) {
                m = ConfigLoader.json().readValue(in, DatasetManifest.class);
            }
            for (ShardInfo s : m.shards()) {
                if (!fs.exists(new org.apache.hadoop.fs.Path(folder, s.path()))) {
                    throw new IllegalStateException(dir + "/" + FILE_NAME + " lists shard " + s.path()
                            + ", which is missing: the dataset is damaged; prepare it again with --overwrite");
                }
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The manifest as pretty-printed JSON. */
    public String toJson() {
        try {
            return ConfigLoader.json().writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
