package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

/**
 * {@link ManifestLines} against Spark's own {@code textFile(...).zipWithIndex()} on the same files (LF, CRLF and lone
 * CR, blank lines, multi-byte UTF-8, no final line break, gzip), cut into splits of a few bytes so that lines and
 * CRLF pairs straddle split ends; and a line over the limit: one marker with its exact length and its own line
 * number, however many splits it spans, the lines around it unchanged, and in every manifest format a reject that
 * names the line instead of a row.
 */
class ManifestLinesTest {

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("manifest-lines-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void resetConf() {
        jsc.hadoopConfiguration().unset("mapreduce.input.fileinputformat.split.maxsize");
        jsc.hadoopConfiguration().unset(ManifestLines.MAX_LINE_BYTES_KEY);
    }

    private static List<Tuple2<String, Long>> bounded(Path file) {
        return new ArrayList<>(ManifestLines.read(jsc, file.toString()).collect());
    }

    private static List<Tuple2<String, Long>> hadoops(Path file) {
        return new ArrayList<>(jsc.textFile(file.toString()).zipWithIndex().collect());
    }

    /** Random lines of ASCII, multi-byte UTF-8 and blanks, ended by LF, CRLF or CR, the last one maybe by none. */
    private static byte[] randomText(long seed, int lines) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] pieces = {"a", "key", " ", "é", "日本", "{\"k\":1}", "\t", "🙂"};
        String[] ends = {"\n", "\r\n", "\r"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int n = random.nextInt(0, 12);
            for (int j = 0; j < n; j++) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            if (i < lines - 1 || random.nextBoolean()) {
                b.append(ends[random.nextInt(ends.length)]);
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsEveryFileAsSparksTextFileDoesInAnySplits() throws IOException {
        for (long seed = 1; seed <= 3; seed++) {
            Path file = tmp.resolve("text-" + seed + ".txt");
            Files.write(file, randomText(seed, 200));
            Path gz = tmp.resolve("text-" + seed + ".txt.gz");
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
                out.write(Files.readAllBytes(file));
            }
            for (String split : new String[] {"3", "17", "1000000"}) {
                jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.split.maxsize", split);
                assertEquals(hadoops(file), bounded(file), "seed " + seed + ", splits of " + split + " bytes");
                assertEquals(hadoops(gz), bounded(gz), "gzip, seed " + seed);
            }
        }
        Path empty = tmp.resolve("empty.txt");
        Files.write(empty, new byte[0]);
        assertEquals(List.of(), bounded(empty));
    }

    @Test
    void aLineOverTheLimitIsAMarkerWithItsLengthAndTheOthersKeepTheirNumbers() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String big = "x".repeat(5000);
        String[] lines = {"first", big, "third", "y".repeat(101), "z".repeat(100), "é".repeat(60), "last"};
        for (String line : lines) {
            b.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        Path file = tmp.resolve("long.txt");
        Files.write(file, b.toByteArray());
        jsc.hadoopConfiguration().setLong(ManifestLines.MAX_LINE_BYTES_KEY, 100);
        for (String split : new String[] {"7", "100", "1000000"}) {
            jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.split.maxsize", split);
            List<Tuple2<String, Long>> got = bounded(file);
            assertEquals(lines.length, got.size(), "one record per line, splits of " + split);
            for (int i = 0; i < lines.length; i++) {
                assertEquals(i, got.get(i)._2(), "line number");
                long bytes = lines[i].getBytes(StandardCharsets.UTF_8).length;
                if (bytes > 100) {
                    assertEquals(bytes, ManifestLines.tooLongBytes(got.get(i)._1()), "line " + i + " is a marker");
                } else {
                    assertEquals(lines[i], got.get(i)._1());
                    assertEquals(-1, ManifestLines.tooLongBytes(got.get(i)._1()));
                }
            }
        }
    }

    @Test
    void aSplitInsideALongLineReadsOnlyItsOwnBytes() throws Exception {
        Path file = tmp.resolve("no-line-breaks.bin");
        Files.write(file, "q".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII)); // 1 MiB, no line break
        org.apache.hadoop.conf.Configuration conf = jsc.hadoopConfiguration();
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
        org.apache.hadoop.mapreduce.TaskAttemptContext context = new org.apache.hadoop.mapreduce.task
                .TaskAttemptContextImpl(conf, new org.apache.hadoop.mapreduce.TaskAttemptID());
        try (BoundedLineReader middle = new BoundedLineReader(100)) {
            middle.initialize(new org.apache.hadoop.mapreduce.lib.input.FileSplit(path, 1000, 1000, null), context);
            assertEquals(false, middle.nextKeyValue(), "no line starts in a split inside the line");
            assertTrue(middle.position() <= 2000, "it stopped at its own end, not at the file's: " + middle.position());
        }
        try (BoundedLineReader first = new BoundedLineReader(100)) { // the first split reads the line once, whole
            first.initialize(new org.apache.hadoop.mapreduce.lib.input.FileSplit(path, 0, 1000, null), context);
            assertTrue(first.nextKeyValue());
            assertEquals(1 << 20, ManifestLines.tooLongBytes(first.getCurrentValue().toString()));
            assertEquals(false, first.nextKeyValue());
        }
    }

    @Test
    void aTooLongLineIsARejectNamingItsLineInEveryFormat() throws IOException {
        jsc.hadoopConfiguration().setLong(ManifestLines.MAX_LINE_BYTES_KEY, 200);
        String longText = "word ".repeat(100); // 500 bytes of valid text: accepted before the limit existed
        Path jsonl = tmp.resolve("manifest.jsonl");
        Files.writeString(jsonl, "{\"key\":\"a\",\"audio_filepath\":\"a.wav\",\"text\":\"hello\"}\n"
                + "{\"key\":\"b\",\"audio_filepath\":\"b.wav\",\"text\":\"" + longText + "\"}\n"
                + "{\"key\":\"c\",\"audio_filepath\":\"c.wav\",\"text\":\"world\"}\n");
        List<ParsedLine> rows = ManifestSource.read(jsc, List.of(jsonl.toString()), ManifestFormat.JSONL).collect();
        assertEquals(3, rows.size(), "every line is one row or one reject");
        ParsedLine reject = rows.stream().filter(ParsedLine::isMalformed).findFirst().orElseThrow();
        assertEquals(1, reject.line());
        assertTrue(reject.error().contains("bytes long") && reject.source().endsWith("manifest.jsonl"),
                reject.error());
        assertEquals(List.of("a", "c"), rows.stream().filter(p -> !p.isMalformed()).map(p -> p.entry().key())
                .sorted().toList());

        Path kaldi = tmp.resolve("kaldi");
        Files.createDirectories(kaldi);
        Files.writeString(kaldi.resolve("text"), "u1 hello\nu2 " + longText + "\nu3 world\n");
        Files.writeString(kaldi.resolve("wav.scp"), "u1 /a.wav\nu2 /b.wav\nu3 /c.wav\n");
        List<ParsedLine> kaldiRows = ManifestSource.read(jsc, List.of(kaldi.toString()), ManifestFormat.KALDI)
                .collect();
        assertEquals(3, kaldiRows.size());
        assertEquals(1, kaldiRows.stream().filter(p -> p.isMalformed() && p.error().contains("bytes long")).count(),
                kaldiRows.toString());

        Path cuts = tmp.resolve("cuts.jsonl");
        Files.writeString(cuts, "{\"id\":\"c1\",\"start\":0,\"duration\":1,\"supervisions\":[{\"id\":\"s1\","
                + "\"recording_id\":\"r1\",\"start\":0,\"duration\":1,\"text\":\"" + longText + "\"}],"
                + "\"recording\":{\"id\":\"r1\",\"sources\":[{\"type\":\"file\",\"channels\":[0],\"source\":\"r1.wav\"}],"
                + "\"sampling_rate\":16000,\"num_samples\":16000,\"duration\":1}}\n");
        List<ParsedLine> cutRows = ManifestSource.read(jsc, List.of(cuts.toString()), ManifestFormat.LHOTSE)
                .collect();
        assertEquals(1, cutRows.size());
        assertTrue(cutRows.get(0).isMalformed() && cutRows.get(0).error().contains("bytes long"), cutRows.toString());
    }

    @Test
    void theDriversPeeksAtAManifestAreBounded() throws IOException {
        // format detection reads at most PEEK_BYTES: a 6 MB first line is not read whole (before: the line, then the
        // cut after it, which made this file a Lhotse manifest)
        Path file = tmp.resolve("binary.jsonl");
        Files.writeString(file, "x".repeat(6 << 20) + "\n{\"id\":\"c1\",\"start\":0,\"duration\":1,"
                + "\"supervisions\":[],\"recording\":{\"id\":\"r\"}}\n");
        org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(file.toUri());
        org.apache.hadoop.fs.FileSystem fs = hp.getFileSystem(jsc.hadoopConfiguration());
        assertEquals(null, ManifestInputs.firstObject(fs, hp, jsc.hadoopConfiguration()));
        Path small = tmp.resolve("cuts.jsonl");
        Files.writeString(small, "\r\n{\"id\":\"c1\"}\r\n");
        assertEquals("c1", ManifestInputs.firstObject(fs, new org.apache.hadoop.fs.Path(small.toUri()),
                jsc.hadoopConfiguration()).get("id").asText(), "CRLF lines, a blank one first");

        // a list of tars (WeNet's data.list) with a line no path has: refused, naming the line
        Path list = tmp.resolve("data.list");
        Files.writeString(list, "a.tar\n" + "y".repeat(100_000) + "\nb.tar\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TarShardList.lines(fs, new org.apache.hadoop.fs.Path(list.toUri())));
        assertTrue(e.getMessage().contains("line 2 is longer than"), e.getMessage());
        Files.writeString(list, "a.tar\n\n  b.tar  \nc.tar");
        assertEquals(List.of("a.tar", "b.tar", "c.tar"), TarShardList.lines(fs,
                new org.apache.hadoop.fs.Path(list.toUri())));
    }
}
