package org.omnispark.data.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** The HDFS fixture itself: a file written through one client is read back through another, over loopback. */
class MiniHdfsTest {

    @Test
    void writesAndReadsThroughRealRpc() throws Exception {
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            assertTrue(hdfs.uri().startsWith("hdfs://127.0.0.1:"), hdfs.uri());
            Path file = hdfs.path("/a/b.txt");
            try (FSDataOutputStream out = hdfs.fileSystem().create(file)) {
                out.write("hello hdfs".getBytes(StandardCharsets.UTF_8));
                out.hsync();
            }
            FileSystem other = file.getFileSystem(new org.apache.hadoop.conf.Configuration());
            try (FSDataInputStream in = other.open(file)) {
                assertEquals("hello hdfs", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }
}
