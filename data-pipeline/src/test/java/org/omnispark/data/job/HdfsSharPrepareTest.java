package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.hdfs.MiniHdfs;

/**
 * Lhotse Shar on a real HDFS (MiniDFSCluster on loopback): the folder is listed, the cuts files read and the tars
 * indexed through the Hadoop FileSystem, as are the members' byte ranges. The result is the local run's
 * (LhotseSharPrepareTest): the same rows in the shards and rejects, with their sources on HDFS.
 */
class HdfsSharPrepareTest {
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void sharFolderOnHdfs(@TempDir Path tmp) throws Exception {
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            FileSystem fs = hdfs.fileSystem();
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(LhotseSharPrepareTest.FIXTURE.toUri()),
                    hdfs.path("/in/lhotse_shar"));
            String base = hdfs.uri() + "/in/lhotse_shar";
            String local = "file:" + LhotseSharPrepareTest.FIXTURE;
            try (SparkSession spark = TestCorpora.spark()) {
                PrepareReport report = PrepareJob.builder().setSpark(spark)
                        .setConfig(TestCorpora.config(List.of(base + "/shar", base + "/flac/cuts.000000.jsonl.gz"),
                                "output.num_shards=2"))
                        .setOutput(tmp.resolve("ds").toString()).optProgress(new java.io.PrintStream(java.io
                                .OutputStream.nullOutputStream()), 60).build().run();
                assertEquals(10, report.inputRows(), report.summary());
                Map<String, String> shard = new TreeMap<>();
                for (Row r : spark.read().parquet(tmp.resolve("ds/shards").toString()).select("key", "source")
                        .collectAsList()) {
                    shard.put(r.getString(0), r.getString(1));
                }
                Map<String, String> want = new TreeMap<>();
                LhotseSharPrepareTest.ACCEPTED.forEach((k, v) -> want.put(k, ((String) v.get(1)).replace(local,
                        base)));
                assertEquals(want, shard);
                Map<String, String> rejects = new TreeMap<>();
                for (Row r : spark.read().parquet(tmp.resolve("ds/rejects").toString()).select("key", "reason",
                        "source").collectAsList()) {
                    rejects.put(r.getString(0).replace(base, local), r.getString(1) + " " + r.getString(2));
                }
                Map<String, String> wantRejects = new TreeMap<>();
                LhotseSharPrepareTest.REJECTED.forEach((k, v) -> wantRejects.put(k, v.get(0) + " "
                        + ((String) v.get(2)).replace(local, base)));
                assertEquals(wantRejects, rejects);
            }
        }
    }
}
