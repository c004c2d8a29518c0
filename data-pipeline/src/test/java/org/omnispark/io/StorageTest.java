package org.omnispark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.hdfs.MiniHdfs;

/** Locations as users type them, and reads / writes / appends on the local disk and on a real HDFS. */
class StorageTest {
    private static MiniHdfs hdfs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start();
    }

    @AfterAll
    static void stopHdfs() throws Exception {
        hdfs.close();
    }

    @Test
    void pathsWithoutSchemeAreOnTheDefaultFileSystemAndConfigFilesAreLocal() {
        Path cwd = Path.of("").toAbsolutePath();
        Storage local = Storage.of(new Configuration());
        assertEquals(Location.of(cwd.resolve("data/x")), local.data("data/x"), "relative: the working directory");
        assertEquals("file:/tmp/a/b", local.data("/tmp/a/b").toString());
        assertEquals("file:/tmp/a/b", local.data("file:///tmp/a/b").toString(), "file:/// and file:/ are one place");

        Storage onHdfs = Storage.of(hdfs.configuration());
        assertEquals(hdfs.uri() + "/data/x", onHdfs.data("/data/x").toString(), "absolute: on fs.defaultFS");
        assertEquals(hdfs.uri() + "/user/" + System.getProperty("user.name") + "/rel", onHdfs.data("rel").toString(),
                "relative: HDFS's working directory, /user/<name>");
        assertEquals(Location.of(cwd.resolve("conf/x.yaml")), Storage.file("conf/x.yaml"),
                "a config file without a scheme is local even when the default file system is HDFS");
        assertEquals(hdfs.uri() + "/conf/x.yaml", Storage.file(hdfs.uri() + "/conf/x.yaml").toString());
        assertThrows(IllegalArgumentException.class, () -> onHdfs.data(" "));
        assertThrows(IllegalArgumentException.class, () -> Location.of("relative/path"),
                "a Location is always absolute");
    }

    @Test
    void sparkHadoopSystemPropertiesReachTheConfiguration() {
        System.setProperty("spark.hadoop.fs.defaultFS", hdfs.uri());
        System.setProperty("spark.hadoop.omnispark.test.key", "v1");
        try {
            Storage storage = Storage.fromEnvironment();
            assertEquals("v1", storage.conf().get("omnispark.test.key"));
            assertEquals(hdfs.uri() + "/d", storage.data("/d").toString());
        } finally {
            System.clearProperty("spark.hadoop.fs.defaultFS");
            System.clearProperty("spark.hadoop.omnispark.test.key");
        }
    }

    @Test
    void appendKeepsTheOldContentOnHdfsAndOnTheLocalDisk() throws Exception {
        Storage storage = Storage.of(hdfs.configuration());
        for (Location file : List.of(Location.of(hdfs.uri() + "/append/m.jsonl"), Location.of(tmp.resolve("m.jsonl")))) {
            try (OutputStream out = storage.append(file)) {
                out.write("a\n".getBytes(StandardCharsets.UTF_8));
            }
            try (OutputStream out = storage.append(file)) {
                out.write("b\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("a\nb\n", storage.readString(file), file.toString());
        }
        assertFalse(Files.exists(tmp.resolve(".m.jsonl.crc")), "the local disk is written without checksum files");
    }

    @Test
    void wholeFileWritesReplaceAndLeaveNoTemporaryFile() throws Exception {
        Storage storage = Storage.of(hdfs.configuration());
        Location folder = Location.of(hdfs.uri() + "/whole");
        Location file = folder.resolve("w.bin");
        storage.write(file, out -> out.write(new byte[] {1, 2, 3}));
        storage.write(file, out -> out.write(new byte[] {4, 5}));
        assertArrayEquals(new byte[] {4, 5}, storage.readBytes(file));
        assertThrows(java.io.IOException.class, () -> storage.write(file, out -> {
            out.write(9);
            throw new java.io.IOException("writer failed half-way");
        }));
        assertArrayEquals(new byte[] {4, 5}, storage.readBytes(file), "a failed write leaves the old content");
        assertEquals(List.of(file), storage.list(folder), "no temporary file left: " + storage.list(folder));
    }

    @Test
    void remoteFoldersAreCopiedForLocalOnlyLibrariesAndLocalOutputsUploaded() throws Exception {
        Storage storage = Storage.of(hdfs.configuration());
        Location remote = Location.of(hdfs.uri() + "/tok");
        storage.writeString(remote.resolve("units.txt"), "<blank> 0\n");
        Path local = storage.localFolder(remote, List.of("units.txt", "spm.model"));
        assertEquals("<blank> 0\n", Files.readString(local.resolve("units.txt")));
        assertFalse(Files.exists(local.resolve("spm.model")), "absent files are left out");
        assertEquals(tmp, storage.localFolder(Location.of(tmp), List.of("units.txt")), "a local folder is used as is");

        Files.createDirectories(tmp.resolve("out/mode"));
        Files.writeString(tmp.resolve("out/report.json"), "{}");
        Files.writeString(tmp.resolve("out/mode/hyp.trn"), "x (u1)\n");
        storage.uploadFolder(tmp.resolve("out"), Location.of(hdfs.uri() + "/eval"));
        assertEquals("x (u1)\n", storage.readString(Location.of(hdfs.uri() + "/eval/mode/hyp.trn")));
        assertTrue(storage.exists(Location.of(hdfs.uri() + "/eval/report.json")));
    }
}
