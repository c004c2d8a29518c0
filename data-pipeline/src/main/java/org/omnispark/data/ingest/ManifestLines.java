package org.omnispark.data.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The lines of a manifest (JSON lines, Lhotse, Kaldi, NeMo) on Spark, each with its 0-based line number, as {@code
 * jsc.textFile(path).zipWithIndex()} gives them, with one difference: a line longer than the limit is not read into
 * memory but comes out as a marker ({@link #tooLongBytes} tells its length), which the readers turn into a reject
 * that names the line, or skip where the line is not a row (wav.scp, utt2spk, segments, recordings: the rows that
 * need it are then rejected for what they miss). Without it, one damaged file without line breaks (a binary file
 * given as a manifest, a concatenation that lost its newlines) was read into one string per task: out of memory, or
 * over 2 GiB a task failure in every retry, and the job aborted.
 */
public final class ManifestLines {

    /** The Hadoop setting of the longest line read, in bytes. */
    public static final String MAX_LINE_BYTES_KEY = "omnispark.manifest.max-line-bytes";
    /** 64 MiB: no manifest line of any format comes near it. */
    public static final long DEFAULT_MAX_LINE_BYTES = 64L << 20;

    private ManifestLines() {}

    /**
     * @param jsc the session
     * @param path a text file (a Hadoop path; .gz and other codecs are decompressed)
     * @return (line, 0-based line number), in file order
     */
    public static JavaPairRDD<String, Long> read(JavaSparkContext jsc, String path) {
        return jsc.newAPIHadoopFile(path, BoundedLineInputFormat.class, LongWritable.class, Text.class,
                        jsc.hadoopConfiguration())
                .map(kv -> kv._2().toString()) // the reader reuses its Text: copied before anything keeps it
                .zipWithIndex();
    }

    static long maxLineBytes(Configuration conf) {
        long limit = conf.getLong(MAX_LINE_BYTES_KEY, DEFAULT_MAX_LINE_BYTES);
        if (limit < 1) {
            throw new IllegalArgumentException(MAX_LINE_BYTES_KEY + " must be at least 1, got " + limit);
        }
        return Math.min(limit, Integer.MAX_VALUE - 16);
    }

    /** The marker of a line of {@code bytes} bytes: a newline first, which no line read from a file can hold. */
    static String tooLongMarker(long bytes) {
        return "\n" + bytes;
    }

    /**
     * @param line a line from {@link #read}
     * @return the length in bytes of the line it stands for when it is a too-long marker, else -1
     */
    public static long tooLongBytes(String line) {
        return line.startsWith("\n") ? Long.parseLong(line.substring(1)) : -1;
    }

    /**
     * @param bytes the line's length
     * @return why such a line is not read
     */
    public static String tooLongMessage(long bytes) {
        return "the line is " + bytes + " bytes long, over the limit of a manifest line (" + MAX_LINE_BYTES_KEY
                + ", " + (DEFAULT_MAX_LINE_BYTES >> 20) + " MiB unless set): not read; a file without line breaks is"
                + " not a manifest of lines, and no utterance's text or field is that long";
    }

    /**
     * @param lineText a line from {@link #read}
     * @param keyHint what names the row in the reject
     * @param source the manifest
     * @param line the 0-based line number
     * @return the reject a too-long line's marker stands for, or null for any other line
     */
    static ParsedLine tooLongReject(String lineText, String keyHint, String source, long line) {
        long bytes = tooLongBytes(lineText);
        return bytes < 0 ? null : ParsedLine.malformed(tooLongMessage(bytes), keyHint, source, line);
    }
}
