package org.omnispark.data.job;

import org.omnispark.io.CommitFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;

/** {@link OutputCommitter} on the local file system: what a run does with what it finds at its output. */
class OutputCommitterTest {
    @TempDir
    Path tmp;

    private static final Configuration CONF = new Configuration();

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static Path local(org.apache.hadoop.fs.Path p) {
        return Path.of(p.toUri());
    }

    @Test
    void aRunWritesInPlaceAndDatasetJsonComesLast() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF, "fp1");
        assertFalse(c.resumed());
        assertEquals(List.of(OutputCommitter.WORK), names(out), "only the work folder before anything is written");
        assertEquals("fp1", Files.readString(out.resolve("_work/plan.json")));
        c.writeText("report.json", "{}");
        assertFalse(Files.exists(out.resolve(DatasetManifest.FILE_NAME)), "not a dataset before the commit");
        c.commit("{\"x\": 1}");
        assertEquals(List.of(DatasetManifest.FILE_NAME, "report.json"), names(out), "the work folder is gone");
        assertEquals("{\"x\": 1}", Files.readString(out.resolve(DatasetManifest.FILE_NAME)));
    }

    @Test
    void crashedWorkWithTheSameFingerprintIsResumedAndItsPartialOutputsDeleted() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter first = OutputCommitter.begin(out.toString(), false, CONF, "fp1");
        Files.createDirectories(local(first.work("done")));
        Files.writeString(local(first.work("done/shard-00000.json")), "{}");
        Files.createDirectories(local(first.work("tmp")));
        Files.writeString(local(first.work("tmp/x.parquet")), "half-written");
        Files.createDirectories(out.resolve("shards"));
        Files.writeString(out.resolve("shards/shard-00000-of-00002.parquet"), "finished");
        Files.createDirectories(out.resolve("rejects"));
        // ... the driver dies here
        OutputCommitter again = OutputCommitter.begin(out.toString(), false, CONF, "fp1");
        assertTrue(again.resumed());
        assertTrue(Files.exists(out.resolve("_work/done/shard-00000.json")), "finished shards' markers are kept");
        assertEquals("finished", Files.readString(out.resolve("shards/shard-00000-of-00002.parquet")));
        assertFalse(Files.exists(out.resolve("_work/tmp")), "temporary files are deleted");
        assertEquals(List.of(OutputCommitter.WORK, "shards"), names(out), "rejects are made again");
    }

    @Test
    void crashedWorkWithAnotherFingerprintIsStartedOver() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter first = OutputCommitter.begin(out.toString(), false, CONF, "fp1");
        Files.createDirectories(local(first.work("done")));
        OutputCommitter other = OutputCommitter.begin(out.toString(), false, CONF, "fp2");
        assertFalse(other.resumed());
        assertFalse(Files.exists(out.resolve("_work/done")), "stale work is deleted");
        assertEquals("fp2", Files.readString(out.resolve("_work/plan.json")));
    }

    @Test
    void anExistingDatasetIsRefusedWithoutOverwriteAndUnpublishedFirstWithIt() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter.begin(out.toString(), false, CONF, "fp1").commit("{}");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OutputCommitter.begin(out.toString(), false, CONF, "fp1"));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        assertTrue(Files.exists(out.resolve(DatasetManifest.FILE_NAME)), "untouched");
        OutputCommitter c = OutputCommitter.begin(out.toString(), true, CONF, "fp1");
        assertFalse(c.resumed());
        assertEquals(List.of(OutputCommitter.WORK), names(out), "the old dataset is gone, dataset.json first");
    }

    @Test
    void aForeignFolderIsRefusedEvenWithOverwrite() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("ds"));
        Files.writeString(out.resolve("precious.txt"), "not ours");
        for (boolean overwrite : new boolean[] {false, true}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> OutputCommitter.begin(out.toString(), overwrite, CONF, "fp1"));
            assertTrue(e.getMessage().contains("not a prepared dataset"), e.getMessage());
        }
        assertEquals(List.of("precious.txt"), names(out));
    }

    @Test
    void anEmptyFolderIsUsed() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("ds"));
        OutputCommitter.begin(out.toString(), false, CONF, "fp1").commit("{}");
        assertEquals(List.of(DatasetManifest.FILE_NAME), names(out));
    }

    @Test
    void moveAndDeleteInsideTheOutput() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF, "fp1");
        Files.writeString(local(c.work("a.txt")), "a");
        c.move(c.work("a.txt"), c.output("sub/b.txt"));
        assertEquals("a", Files.readString(out.resolve("sub/b.txt")));
        c.delete(c.output("sub"));
        assertFalse(Files.exists(out.resolve("sub")));
    }

    @Test
    void aWriterThatDiesWhileWritingDatasetJsonLeavesNoDataset() throws IOException {
        Configuration tearing = new Configuration();
        tearing.set("fs.file.impl", TearingFileSystem.class.getName());
        tearing.setBoolean("fs.file.impl.disable.cache", true);
        Path out = tmp.resolve("ds");
        OutputCommitter c = OutputCommitter.begin(out.toUri().toString(), false, tearing, "fp1");
        TearingFileSystem.TEAR.add(DatasetManifest.FILE_NAME);
        TearingFileSystem.TEAR.add(CommitFile.TEMP_PREFIX + DatasetManifest.FILE_NAME);
        try {
            assertThrows(java.io.UncheckedIOException.class, () -> c.commit("{\"format_version\": 1, \"shards\": []}"));
        } finally {
            TearingFileSystem.TEAR.clear();
        }
        assertFalse(Files.exists(out.resolve(DatasetManifest.FILE_NAME)), "no torn dataset.json: "
                + (Files.exists(out.resolve(DatasetManifest.FILE_NAME))
                ? Files.readString(out.resolve(DatasetManifest.FILE_NAME)) : ""));
        assertTrue(names(out).contains(OutputCommitter.WORK), "still the work of a run, resumable");
    }

    @Test
    void commitFilesReplaceWholeOrNotAtAll() throws IOException {
        Path f = tmp.resolve("marker.json");
        org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.getLocal(CONF).getRaw();
        CommitFile.write(fs, new org.apache.hadoop.fs.Path(f.toUri()), "first, whole".getBytes());
        CommitFile.write(fs, new org.apache.hadoop.fs.Path(f.toUri()), "second, whole".getBytes());
        assertEquals("second, whole", Files.readString(f));
        assertEquals(List.of("marker.json"), names(tmp), "no temporary file left");
        assertTrue(CommitFile.renameIsAtomic(fs));
    }

    @Test
    void aRunKilledBeforeItsPlanWasWrittenLeavesAFolderTheNextRunTakes() throws IOException {
        Path out = tmp.resolve("ds");
        Files.createDirectories(out.resolve(OutputCommitter.WORK)); // killed between mkdirs and plan.json
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF, "fp1");
        assertFalse(c.resumed());
        assertEquals(List.of(OutputCommitter.WORK), names(out));
    }
}
