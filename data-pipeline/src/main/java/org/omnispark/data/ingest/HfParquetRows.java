package org.omnispark.data.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.omnispark.data.RejectReason;

/**
 * The rows of one Hugging Face Parquet file (a {@code datasets} table with an {@code Audio} column, as the Hub serves
 * it), read lazily, one row group at a time, through the Hadoop FileSystem. The audio column is a
 * {@code struct<bytes: binary, path: string>} ({@link HfAudioColumn} finds it); its bytes travel with the row
 * ({@link ManifestEntry#audioBytes()}), nothing is unpacked; a row with only a path names a file, relative to the
 * Parquet file's folder. The other columns map to an entry as JSON lines' fields do, with the Hub's usual names
 * added ({@link #KEY_FIELDS}, {@link #TEXT_FIELDS}); a table without a key column keys each row
 * {@code <file name>#<row>}.
 *
 * <p>Each row is {@code source} = the file, {@code line} = its 0-based row index. A file that is no Parquet, or whose
 * data is damaged, gives the rows read before the damage and then ONE reject keyed {@code <file>@row <n>}
 * (MALFORMED_MANIFEST_LINE) that says how many rows were not read; an I/O error that persists through
 * {@value #READ_ATTEMPTS} attempts fails the task (Spark retries it). Audio paths of embedded rows are
 * {@code parquet:<file>!<row>/<audio.path>}: a name for messages and shard rows, never opened.
 *
 * <p>A row group is read whole, so one larger than 1/8 of the heap (its compressed or uncompressed size, from the
 * footer) is not read: it becomes ONE reject keyed {@code <file>@row <first row>} that names its rows and size and
 * what to do, and the rows after it are read as usual.
 *
 * <p>Single-use and not thread-safe; {@link #close()} releases the file.
 */
public final class HfParquetRows implements Iterator<ParsedLine>, AutoCloseable {
    /** Key columns, first match wins: JSON lines' names, then GigaSpeech's, People's Speech's and others'. */
    static final List<String> KEY_FIELDS = List.of("key", "utt", "utt_id", "id", "segment_id", "utterance_id",
            "audio_id");
    /** Text columns, first match wins: JSON lines' names, then Common Voice's, VoxPopuli's, FLEURS's and others'. */
    static final List<String> TEXT_FIELDS = List.of("text", "txt", "transcript", "transcription", "sentence",
            "normalized_text", "raw_text", "raw_transcription");
    /** The prefix of the audio path of a row whose bytes are embedded. */
    public static final String PREFIX = "parquet:";
    static final int READ_ATTEMPTS = 3;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String file;
    private final String folder;
    private final String fileName;
    private final Configuration conf;
    private ParquetFileReader reader;
    private HfAudioColumn audio;
    private MessageType schema;
    private RecordReader<Group> records;
    private int group;
    private long groupLeft;
    private long row;
    private long total = -1;
    private ParsedLine next;
    private boolean finished;
    private final long maxRowGroupBytes;
    private ParsedLine skippedGroup;

    /**
     * @param file the Parquet file's qualified URI
     * @param conf the Hadoop configuration to read it with
     */
    public HfParquetRows(String file, Configuration conf) {
        this(file, conf, defaultMaxRowGroupBytes());
    }

    /**
     * @param file the Parquet file's qualified URI
     * @param conf the Hadoop configuration to read it with
     * @param maxRowGroupBytes the largest row group read (compressed or uncompressed bytes, the larger); a larger one
     *     becomes one reject and its rows are not read
     */
    HfParquetRows(String file, Configuration conf, long maxRowGroupBytes) {
        this.maxRowGroupBytes = maxRowGroupBytes;
        this.file = file;
        Path p = new Path(file);
        this.folder = p.getParent().toString();
        this.fileName = p.getName();
        this.conf = conf;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !finished) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public ParsedLine next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more rows in " + file);
        }
        ParsedLine out = next;
        next = null;
        return out;
    }

    /** The next row, the damage reject, or null at the end. */
    private ParsedLine advance() {
        long backoffMillis = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                Group g = nextGroup();
                if (g == null && skippedGroup != null) {
                    ParsedLine skipped = skippedGroup;
                    skippedGroup = null;
                    return skipped;
                }
                if (g == null) {
                    finish();
                    return null;
                }
                return toLine(g, row++);
            } catch (IOException | RuntimeException e) {
                closeReader();
                if (!isDamage(e) && attempt < READ_ATTEMPTS) {
                    sleep(backoffMillis); // a flaky read: reopen and go on from the same row
                    backoffMillis *= 2;
                    continue;
                }
                if (!isDamage(e)) {
                    throw new UncheckedIOException("cannot read Parquet file " + file + " at row " + row + " after "
                            + attempt + " attempts: " + e + "; the task fails so that Spark retries it (check "
                            + "permissions and the file system's health)", e instanceof IOException io ? io
                            : new IOException(e));
                }
                finish();
                String left = total < 0 ? "" : " (rows " + row + ".." + (total - 1) + " of " + total + " not read)";
                return ParsedLine.malformed("damaged Parquet file at row " + row + left + ": " + e
                        + "; re-copy or re-export it (datasets: ds.to_parquet(...))", file + "@row " + row, file,
                        row);
            }
        }
    }

    /** Opens the file (again) when needed, positioned at {@link #row}; the next record, or null at the end. */
    private Group nextGroup() throws IOException {
        if (reader == null) {
            Path path = new Path(file);
            reader = ParquetFileReader.open(new StorageInputFile(path, conf),
                    org.apache.parquet.HadoopReadOptions.builder(conf, path).build());
            schema = reader.getFooter().getFileMetaData().getSchema();
            total = reader.getRecordCount();
            audio = HfAudioColumn.find(schema, reader.getFooter().getFileMetaData().getKeyValueMetaData());
            // After a reopen: skip whole row groups, then rows, up to where the last read ended.
            long skip = row;
            group = 0;
            groupLeft = 0;
            while (group < reader.getRowGroups().size() && skip >= reader.getRowGroups().get(group).getRowCount()) {
                skip -= reader.getRowGroups().get(group++).getRowCount();
            }
            if (skip > 0) {
                openGroup();
                for (long i = 0; i < skip; i++, groupLeft--) {
                    records.read();
                }
            }
        }
        while (groupLeft == 0) {
            if (group >= reader.getRowGroups().size()) {
                return null;
            }
            BlockMetaData block = reader.getRowGroups().get(group);
            long bytes = Math.max(block.getCompressedSize(), block.getTotalByteSize());
            if (bytes > maxRowGroupBytes) { // read whole, it would exhaust the task's memory: one reject, go on
                skippedGroup = ParsedLine.malformed("row group " + group + " of " + reader.getRowGroups().size()
                        + " (rows " + row + ".." + (row + block.getRowCount() - 1) + ", " + (bytes >> 20) + " MiB) is "
                        + "larger than a task reads at once (" + (maxRowGroupBytes >> 20) + " MiB, 1/8 of the "
                        + "executor's heap): its " + block.getRowCount() + " rows are not read; re-export the file "
                        + "with smaller row groups (pyarrow.parquet.write_table(..., row_group_size=100)) or give "
                        + "the executors more memory", file + "@row " + row, file, row);
                row += block.getRowCount();
                group++;
                return null;
            }
            openGroup();
        }
        groupLeft--;
        return records.read();
    }

    /** 1/8 of this JVM's heap: an executor runs a few tasks at once, and decoding needs room beside the bytes. */
    static long defaultMaxRowGroupBytes() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /** Reads row group {@link #group} and moves past it. */
    private void openGroup() throws IOException {
        PageReadStore pages = reader.readRowGroup(group++);
        if (pages == null) {
            throw new EOFException("row group " + (group - 1) + " is missing");
        }
        groupLeft = pages.getRowCount();
        records = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
    }

    /** One record as a manifest row. */
    private ParsedLine toLine(Group g, long index) {
        String keyHint = fileName + "#" + index;
        if (audio == null) {
            return ParsedLine.malformed("no audio column: a Hugging Face audio table has a struct<bytes, path> "
                    + "column (datasets' Audio feature); columns here: " + schema.getFields().stream()
                    .map(org.apache.parquet.schema.Type::getName).toList(), keyHint, file, index);
        }
        ObjectNode node = MAPPER.createObjectNode();
        for (int i = 0; i < schema.getFieldCount(); i++) {
            org.apache.parquet.schema.Type t = schema.getType(i);
            if (i != audio.index() && t.isPrimitive() && g.getFieldRepetitionCount(i) > 0) {
                putScalar(node, t.getName(), t.asPrimitiveType(), g, i);
            }
        }
        rename(node, KEY_FIELDS, "key");
        rename(node, TEXT_FIELDS, "text");
        if (!node.hasNonNull("key")) {
            node.put("key", keyHint);
        }
        if (!node.hasNonNull("text")) {
            return ParsedLine.malformed("no text column (one of " + TEXT_FIELDS + ") or it is null in this row",
                    node.get("key").asText(), file, index);
        }
        HfAudioColumn.Value v = audio.read(g);
        if (v.bytes() == null && v.path() == null) {
            return ParsedLine.rejected(RejectReason.MISSING_AUDIO, "row " + index + " has no audio ("
                    + audio.name() + ".bytes and " + audio.name() + ".path are both null); drop the row or add the "
                    + "audio", node.get("key").asText(), file, index);
        }
        String path = v.bytes() != null ? PREFIX + file + "!" + index + "/" + (v.path() != null ? v.path()
                : node.get("key").asText()) : v.path();
        node.put("audio_filepath", path);
        ParsedLine parsed = JsonLinesManifest.parse(node, file, index, keyHint);
        if (parsed.isMalformed() || v.bytes() == null) {
            return ManifestSource.resolve(parsed, folder);
        }
        ManifestEntry e = parsed.entry();
        return ParsedLine.ok(new ManifestEntry(e.key(), e.audioPath(), e.text(), e.confidence(), e.duration(),
                e.speaker(), e.language(), e.offset(), e.length(), e.source(), e.line(), v.bytes()));
    }

    /** Copies the first present, non-null field of {@code names} to {@code to} (dropping any other under that name). */
    private static void rename(ObjectNode node, List<String> names, String to) {
        for (String n : names) {
            JsonNode v = node.get(n);
            if (v != null && !v.isNull()) {
                node.set(to, v);
                return;
            }
        }
    }

    private static void putScalar(ObjectNode node, String name, org.apache.parquet.schema.PrimitiveType t, Group g,
            int i) {
        switch (t.getPrimitiveTypeName()) {
            case BOOLEAN -> node.put(name, g.getBoolean(i, 0));
            case INT32 -> node.put(name, g.getInteger(i, 0));
            case INT64 -> node.put(name, g.getLong(i, 0));
            case FLOAT -> node.put(name, g.getFloat(i, 0));
            case DOUBLE -> node.put(name, g.getDouble(i, 0));
            case BINARY, FIXED_LEN_BYTE_ARRAY -> {
                if (t.getLogicalTypeAnnotation() != null) { // strings (and other annotated binaries) as text
                    node.put(name, g.getString(i, 0));
                }
            }
            default -> { } // INT96 timestamps and the like are no manifest fields
        }
    }

    /**
     * Damage, as opposed to a flaky read: anything but an error of the file system itself ({@link StorageInputFile}
     * tags those), i.e. what parquet-mr throws on bytes it cannot parse, however it wraps it.
     */
    static boolean isDamage(Throwable e) {
        return !StorageInputFile.isStorageError(e);
    }

    private void finish() {
        finished = true;
        closeReader();
    }

    private void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // nothing was written; the file is released either way
            }
            reader = null;
            records = null;
        }
    }

    @Override
    public void close() {
        finished = true;
        closeReader();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to re-read a Parquet file", ie);
        }
    }
}
