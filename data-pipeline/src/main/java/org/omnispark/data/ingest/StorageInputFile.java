package org.omnispark.data.ingest;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} on the Hadoop FileSystem whose own I/O errors come out as {@link StorageException}, so
 * that a reader can tell the file system failing (retry, then fail the task) from parquet-mr failing to parse what
 * it read (damage: a reject), wherever parquet-mr wraps the exception. An {@link EOFException} (a file shorter than
 * its footer says) is damage and passes unwrapped.
 */
final class StorageInputFile implements InputFile {
    private final InputFile file;

    /** An I/O error of the file system itself, not of the bytes it returned. */
    static final class StorageException extends IOException {
        StorageException(IOException cause) {
            super(cause.toString(), cause);
        }
    }

    StorageInputFile(Path path, Configuration conf) throws IOException {
        try {
            this.file = HadoopInputFile.fromPath(path, conf);
        } catch (EOFException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException(e);
        }
    }

    /** True when {@code e}, or any of its causes, is the file system's own error. */
    static boolean isStorageError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StorageException) {
                return true;
            }
        }
        return false;
    }

    private static IOException tag(IOException e) {
        return e instanceof EOFException || e instanceof StorageException ? e : new StorageException(e);
    }

    @Override
    public long getLength() throws IOException {
        try {
            return file.getLength();
        } catch (IOException e) {
            throw tag(e);
        }
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
        SeekableInputStream in;
        try {
            in = file.newStream();
        } catch (IOException e) {
            throw tag(e);
        }
        return new SeekableInputStream() {
            @Override
            public long getPos() throws IOException {
                try {
                    return in.getPos();
                } catch (IOException e) {
                    throw tag(e);
                }
            }

            @Override
            public void seek(long pos) throws IOException {
                try {
                    in.seek(pos);
                } catch (IOException e) {
                    throw tag(e);
                }
            }

            @Override
            public void readFully(byte[] bytes) throws IOException {
                readFully(bytes, 0, bytes.length);
            }

            @Override
            public void readFully(byte[] bytes, int start, int len) throws IOException {
                try {
                    in.readFully(bytes, start, len);
                } catch (IOException e) {
                    throw tag(e);
                }
            }

            @Override
            public int read(ByteBuffer buf) throws IOException {
                try {
                    return in.read(buf);
                } catch (IOException e) {
                    throw tag(e);
                }
            }

            @Override
            public void readFully(ByteBuffer buf) throws IOException {
                try {
                    in.readFully(buf);
                } catch (IOException e) {
                    throw tag(e);
                }
            }

            @Override
            public int read() throws IOException {
                try {
                    return in.read();
                } catch (IOException e) {
                    throw tag(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return in.read(b, off, len);
                } catch (IOException e) {
                    throw tag(e);
                }
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }
}
