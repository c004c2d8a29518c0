package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Tar shards on a real HDFS (MiniDFSCluster on loopback): the WeNet data.list, its tars (named relative to the list)
 * and a WebDataset brace pattern are all read through the Hadoop FileSystem, as are the members' byte ranges. The
 * result is the local run's (TarPrepareTest): the same keys in the shards, the same rejects, sources on HDFS.
 */
class HdfsTarPrepareTest {
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void tarShardsOnHdfs(@TempDir Path tmp) throws Exception {
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            FileSystem fs = hdfs.fileSystem();
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(TarPrepareTest.FIXTURE.toUri()),
                    hdfs.path("/in/tar"));
            String base = hdfs.uri() + "/in/tar";
            try (SparkSession spark = TestCorpora.spark()) {
                PrepareReport report = PrepareJob.builder().setSpark(spark)
                        .setConfig(TestCorpora.config(List.of(base + "/wenet/data.list",
                                base + "/webdataset/shard-{000000..000001}.tar"), "output.num_shards=2"))
                        .setOutput(tmp.resolve("ds").toString()).optProgress(new java.io.PrintStream(java.io
                                .OutputStream.nullOutputStream()), 60).build().run();
                assertEquals(14, report.inputRows(), report.summary());
                assertEquals(8, report.acceptedRows(), report.summary());
                Map<String, String> shard = new TreeMap<>();
                for (Row r : spark.read().parquet(tmp.resolve("ds/shards").toString()).select("key", "source")
                        .collectAsList()) {
                    shard.put(r.getString(0), r.getString(1));
                }
                Map<String, String> want = new TreeMap<>();
                TarPrepareTest.ACCEPTED.forEach((k, v) -> {
                    if (!k.startsWith("l-")) {
                        want.put(k, ((String) v.get(1)).replace("file:" + TarPrepareTest.FIXTURE, base));
                    }
                });
                assertEquals(want, shard);
                Map<String, String> rejects = new TreeMap<>();
                for (Row r : spark.read().parquet(tmp.resolve("ds/rejects").toString()).select("key", "reason")
                        .collectAsList()) {
                    rejects.put(r.getString(0).replace(base, "file:" + TarPrepareTest.FIXTURE), r.getString(1));
                }
                Map<String, String> wantRejects = new TreeMap<>();
                TarPrepareTest.REJECTED.forEach((k, v) -> wantRejects.put(k, (String) v.get(0)));
                assertEquals(wantRejects, rejects);
                assertTrue(shard.get("w-speech").startsWith("hdfs://"), shard.get("w-speech"));
            }
        }
    }
}
