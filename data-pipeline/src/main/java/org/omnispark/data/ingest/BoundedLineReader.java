package org.omnispark.data.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;

/**
 * The lines of one split of a text file, as Hadoop's text input reads them (terminated by LF, CRLF or a lone CR; a
 * last line without one counts; UTF-8), except that a line longer than {@code maxLineBytes} is never held in memory:
 * its bytes are counted and skipped, and it comes out as {@link ManifestLines#tooLong} marker, so the caller can
 * turn it into a reject with its line number. Hadoop's own reader grows one buffer to the line's length (a damaged
 * or binary "manifest" with no line break is read whole, and a line over 2 GiB fails the task every time).
 *
 * <p>A split owns the lines that START inside it: unless it starts the file, it skips to the end of the line that
 * runs into it from the previous split; its last line may run past its end. A compressed file is one split.
 */
final class BoundedLineReader extends RecordReader<LongWritable, Text> {

    private static final int BUFFER = 64 << 10;

    private final long maxLineBytes;
    private final byte[] buffer = new byte[BUFFER];
    private InputStream in;
    private int filled;
    private int next;
    private long position; // of buffer[next] in the (uncompressed) stream
    private long end; // lines starting at or after this belong to the next split
    private final LongWritable key = new LongWritable();
    private final Text value = new Text();
    private byte[] line = new byte[256];

    BoundedLineReader(long maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void initialize(InputSplit genericSplit, TaskAttemptContext context) throws IOException {
        FileSplit split = (FileSplit) genericSplit;
        Configuration conf = context.getConfiguration();
        Path file = split.getPath();
        FileSystem fs = file.getFileSystem(conf);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
        FSDataInputStream raw = fs.open(file);
        if (codec != null) { // BoundedLineInputFormat never splits these
            in = codec.createInputStream(raw);
            position = 0;
            end = Long.MAX_VALUE;
            return;
        }
        long start = split.getStart();
        end = start + split.getLength();
        in = raw;
        if (start == 0) {
            position = 0;
            return;
        }
        raw.seek(start - 1); // the previous split reads the line its last byte starts; ours begins after its end
        position = start - 1;
        skipPartialLine();
    }

    /**
     * Skips the line that runs into this split, through its terminator, but never reads past the split's end: a
     * line that does not end inside the split means no line starts in it (so a file without line breaks costs each
     * split its own bytes, not the rest of the file).
     */
    private void skipPartialLine() throws IOException {
        while (position < end) {
            if (next == filled && !fill()) {
                return;
            }
            byte b = buffer[next++];
            position++;
            if (b == '\n') {
                return;
            }
            if (b == '\r') {
                if ((next < filled || fill()) && buffer[next] == '\n') {
                    next++;
                    position++;
                }
                return;
            }
        }
    }

    /** @return the stream position of the next byte to read, for tests */
    long position() {
        return position;
    }

    @Override
    public boolean nextKeyValue() throws IOException {
        if (position >= end) {
            return false;
        }
        long start = position;
        long length = readLine();
        if (length < 0) {
            return false;
        }
        key.set(start);
        if (length > maxLineBytes) {
            value.set(ManifestLines.tooLongMarker(length));
        } else {
            value.set(line, 0, (int) length);
        }
        return true;
    }

    /**
     * Reads one line and its terminator; keeps its bytes in {@link #line} when it is not longer than the limit.
     *
     * @return the line's length in bytes (without the terminator), or -1 at the end of the stream
     */
    private long readLine() throws IOException {
        long length = 0;
        boolean any = false;
        while (true) {
            if (next == filled && !fill()) {
                return any ? length : -1;
            }
            any = true;
            int from = next;
            while (next < filled && buffer[next] != '\n' && buffer[next] != '\r') {
                next++;
            }
            int run = next - from;
            if (length + run <= maxLineBytes) {
                append(from, run, length);
            }
            length += run;
            position += run;
            if (next < filled) { // a terminator
                byte terminator = buffer[next++];
                position++;
                if (terminator == '\r' && (next < filled || fill()) && buffer[next] == '\n') {
                    next++;
                    position++;
                }
                return length;
            }
        }
    }

    private void append(int from, int run, long at) {
        int needed = (int) (at + run);
        if (needed > line.length) {
            line = java.util.Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(needed, 2L * line.length)));
        }
        System.arraycopy(buffer, from, line, (int) at, run);
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            filled = 0;
            next = 0;
            return false;
        }
        filled = n;
        next = 0;
        return true;
    }

    @Override
    public LongWritable getCurrentKey() {
        return key;
    }

    @Override
    public Text getCurrentValue() {
        return value;
    }

    @Override
    public float getProgress() {
        return end == Long.MAX_VALUE || end == 0 ? 0 : Math.min(1f, position / (float) end);
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }

    /** @return the bytes as a string, for tests */
    static String utf8(Text t) {
        return new String(t.getBytes(), 0, t.getLength(), StandardCharsets.UTF_8);
    }
}
