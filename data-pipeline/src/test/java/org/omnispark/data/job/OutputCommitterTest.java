package org.omnispark.data.job;

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

/** {@link OutputCommitter} on the local file system. */
class OutputCommitterTest {
    @TempDir
    Path tmp;

    private static final Configuration CONF = new Configuration();

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> visibleNames(Path dir) throws IOException {
        return names(dir).stream().filter(n -> !n.startsWith(".")).toList();
    }

    private static Path local(org.apache.hadoop.fs.Path p) {
        return Path.of(p.toUri());
    }

    @Test
    void beginCreatesHiddenWorkFolderAndCommitPublishesIt() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF);
        Path work = local(c.work());
        assertTrue(Files.isDirectory(work));
        assertTrue(work.getFileName().toString().startsWith(".ds.inprogress-"), work.toString());
        assertEquals(tmp, work.getParent(), "the work folder is a sibling of the output");
        assertFalse(Files.exists(out), "nothing visible before commit");

        c.writeText(DatasetManifest.FILE_NAME, "{}");
        c.writeText("units.txt", "<blank> 0\n");
        c.commit();

        assertTrue(Files.isDirectory(out));
        assertEquals("{}", Files.readString(out.resolve(DatasetManifest.FILE_NAME)));
        assertEquals("<blank> 0\n", Files.readString(out.resolve("units.txt")));
        assertEquals(List.of("dataset.json", "units.txt"), visibleNames(out));
        assertFalse(Files.exists(work), "the work folder was renamed away");
        assertEquals(List.of("ds"), visibleNames(tmp));
        assertTrue(names(tmp).stream().noneMatch(n -> n.contains("inprogress")), names(tmp).toString());
    }

    @Test
    void beginDeletesStaleInProgressSiblingsOnly() throws IOException {
        Path stale1 = Files.createDirectories(tmp.resolve(".ds.inprogress-crashed1"));
        Files.writeString(stale1.resolve("part-0"), "x");
        Path stale2 = Files.createDirectories(tmp.resolve(".ds.inprogress-crashed2"));
        Path otherDataset = Files.createDirectories(tmp.resolve(".ds2.inprogress-running"));
        Path unrelated = Files.writeString(tmp.resolve("notes.txt"), "keep");

        OutputCommitter c = OutputCommitter.begin(tmp.resolve("ds").toString(), false, CONF);
        assertFalse(Files.exists(stale1));
        assertFalse(Files.exists(stale2));
        assertTrue(Files.exists(otherDataset), "another dataset's in-progress folder is not ours");
        assertTrue(Files.exists(unrelated));
        assertTrue(Files.isDirectory(local(c.work())));
    }

    @Test
    void existingDatasetIsRefusedWithoutOverwrite() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("ds"));
        Files.writeString(out.resolve(DatasetManifest.FILE_NAME), "old");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OutputCommitter.begin(out.toString(), false, CONF));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals("old", Files.readString(out.resolve(DatasetManifest.FILE_NAME)), "untouched");
        assertTrue(names(tmp).stream().noneMatch(n -> n.contains("inprogress")), "no work folder left behind");
    }

    @Test
    void overwriteReplacesExistingDatasetOnCommit() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("ds"));
        Files.writeString(out.resolve(DatasetManifest.FILE_NAME), "old");
        Files.writeString(out.resolve("shard-old.parquet"), "old rows");

        OutputCommitter c = OutputCommitter.begin(out.toString(), true, CONF);
        assertEquals("old", Files.readString(out.resolve(DatasetManifest.FILE_NAME)),
                "the old dataset stays readable until commit");
        c.writeText(DatasetManifest.FILE_NAME, "new");
        c.commit();

        assertEquals("new", Files.readString(out.resolve(DatasetManifest.FILE_NAME)));
        assertFalse(Files.exists(out.resolve("shard-old.parquet")), "old files do not survive the replace");
        assertEquals(List.of("ds"), visibleNames(tmp));
        assertTrue(names(tmp).stream().noneMatch(n -> n.contains("replaced") || n.contains("inprogress")),
                "no leftovers: " + names(tmp));
    }

    @Test
    void nonEmptyFolderWithoutDatasetIsRefusedEvenWithOverwrite() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("ds"));
        Files.writeString(out.resolve("precious.txt"), "mine");
        for (boolean overwrite : new boolean[] {false, true}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> OutputCommitter.begin(out.toString(), overwrite, CONF));
            assertTrue(e.getMessage().contains("not a prepared dataset"), e.getMessage());
        }
        assertEquals("mine", Files.readString(out.resolve("precious.txt")));
    }

    @Test
    void emptyExistingFolderIsReplaced() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("ds"));
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF);
        c.writeText(DatasetManifest.FILE_NAME, "{}");
        c.commit();
        assertEquals("{}", Files.readString(out.resolve(DatasetManifest.FILE_NAME)));
    }

    @Test
    void commitRefusesADatasetThatAppearedDuringTheRun() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF);
        Files.createDirectories(out);
        Files.writeString(out.resolve(DatasetManifest.FILE_NAME), "other run");
        assertThrows(IllegalStateException.class, c::commit);
        assertEquals("other run", Files.readString(out.resolve(DatasetManifest.FILE_NAME)));
    }

    @Test
    void abortRemovesTheWorkFolder() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF);
        c.writeText("part-0", "rows");
        Path work = local(c.work());
        assertTrue(Files.exists(work.resolve("part-0")));
        c.abort();
        assertFalse(Files.exists(work));
        assertFalse(Files.exists(out));
        assertEquals(List.of(), names(tmp));
    }

    @Test
    void renameAndDeleteInsideTheWorkFolder() throws IOException {
        Path out = tmp.resolve("ds");
        OutputCommitter c = OutputCommitter.begin(out.toString(), false, CONF);
        c.writeText("staging/a.txt", "a");
        c.rename(c.work("staging/a.txt"), c.work("final/a.txt"));
        c.writeText("tmp.txt", "t");
        c.delete("tmp.txt");
        c.commit();
        assertEquals("a", Files.readString(out.resolve("final/a.txt")));
        assertFalse(Files.exists(out.resolve("tmp.txt")));
    }
}
