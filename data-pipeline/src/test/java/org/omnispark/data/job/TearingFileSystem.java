package org.omnispark.data.job;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system whose writers die after {@value #KEPT} bytes of a file whose name starts with one of
 * {@link #TEAR}: a process killed mid-write, on demand (the bytes written so far stay on disk). Register it as
 * {@code fs.file.impl} with {@code fs.file.impl.disable.cache=true}.
 */
public class TearingFileSystem extends RawLocalFileSystem {
    /** Name prefixes whose writes are torn. */
    static final Set<String> TEAR = ConcurrentHashMap.newKeySet();

    /** Tears the writes of files whose names start with one of {@code prefixes} (none: stops tearing). */
    public static void tear(String... prefixes) {
        TEAR.clear();
        TEAR.addAll(Set.of(prefixes));
    }
    /** Bytes that reach the file before the writer dies. */
    static final int KEPT = 10;

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
            short replication, long blockSize, Progressable progress) throws IOException {
        FSDataOutputStream out = super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        String name = f.getName();
        if (TEAR.stream().noneMatch(name::startsWith)) {
            return out;
        }
        return new FSDataOutputStream(new FilterOutputStream(out) {
            private long written;

            @Override
            public void write(int b) throws IOException {
                if (written++ >= KEPT) {
                    out.flush();
                    throw new IOException("the writer of " + f + " died (injected)");
                }
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        }, null);
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
            Progressable progress) throws IOException {
        return create(f, FsPermission.getFileDefault(), overwrite, bufferSize, replication, blockSize, progress);
    }
}
