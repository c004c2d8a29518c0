package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.hdfs.MiniHdfs;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.Utterance;

/**
 * {@code prepare} with everything on a real HDFS (MiniDFSCluster on loopback): the manifest, the audio it names by
 * relative paths, the output, and a second run's {@code text.vocabulary_from}. The trainer's reader
 * ({@link BucketedBatches}) streams the result from HDFS, and it equals a local run of the same corpus: the same
 * keys, features and token ids.
 */
class HdfsPrepareTest {
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void preparesFromAndToHdfsAndTheReaderStreamsTheResult(@TempDir Path tmp) throws Exception {
        Path corpus = TestCorpora.corpus(12, 5, 0.0);
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            FileSystem fs = hdfs.fileSystem();
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(corpus.toUri()), hdfs.path("/in/corpus"));
            String remoteManifest = hdfs.uri() + "/in/corpus/manifest.jsonl";
            String remoteOut = hdfs.uri() + "/out/train";
            SparkSession spark = TestCorpora.spark();
            try {
                PrepareReport report = PrepareJob.builder().setSpark(spark)
                        .setConfig(TestCorpora.config(List.of(remoteManifest), "output.num_shards=2"))
                        .setOutput(remoteOut).build().run();
                assertTrue(report.acceptedRows() > 0, report.summary());
                assertTrue(report.output().startsWith("hdfs://"), report.output());
                for (String f : List.of("dataset.json", "units.txt", "report.json", "global_cmvn.json",
                        "shards/shard-00000-of-00002.parquet", "shards/shard-00001-of-00002.parquet", "rejects")) {
                    assertTrue(fs.exists(hdfs.path("/out/train/" + f)), f + " is on HDFS");
                }
                assertTrue(!fs.exists(hdfs.path("/out/train/_work")), "no work left after the commit");

                Path local = tmp.resolve("local");
                PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(
                                List.of(corpus.resolve("manifest.jsonl").toString()), "output.num_shards=2"))
                        .setOutput(local.toString()).build().run();
                Map<String, Utterance> expected = new TreeMap<>();
                for (List<Utterance> batch : BucketedBatches.builder().setDataset(local).build()) {
                    batch.forEach(u -> expected.put(u.key(), u));
                }
                Map<String, Utterance> streamed = new TreeMap<>();
                BucketedBatches remote = BucketedBatches.builder().setDataset(remoteOut)
                        .optConfiguration(hdfs.configuration()).build();
                for (List<Utterance> batch : remote) {
                    batch.forEach(u -> streamed.put(u.key(), u));
                }
                assertEquals(report.acceptedRows(), streamed.size());
                assertEquals(expected.keySet(), streamed.keySet());
                for (String k : expected.keySet()) {
                    assertArrayEquals(expected.get(k).features(), streamed.get(k).features(), 0f, k);
                    assertArrayEquals(expected.get(k).tokenIds(), streamed.get(k).tokenIds(), k);
                }
                assertEquals(DatasetManifest.read(local).cmvn().frameCount(),
                        DatasetManifest.read(remoteOut, hdfs.configuration()).cmvn().frameCount());

                // A test set that reuses the training vocabulary, read from HDFS.
                String testOut = hdfs.uri() + "/out/test";
                PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(remoteManifest),
                                "output.num_shards=1", "text.vocabulary_from=" + remoteOut))
                        .setOutput(testOut).build().run();
                assertEquals(read(fs, "/out/train/units.txt", hdfs), read(fs, "/out/test/units.txt", hdfs));
                assertEquals(Files.readString(local.resolve("units.txt")), read(fs, "/out/test/units.txt", hdfs));
            } finally {
                spark.stop();
            }
        }
    }

    private static String read(FileSystem fs, String path, MiniHdfs hdfs) throws Exception {
        try (InputStream in = fs.open(hdfs.path(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
