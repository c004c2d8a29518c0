package org.omnispark.data.job;

import java.io.IOException;
import java.util.HashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Row;

/**
 * Writes one shard file straight from a Spark task with parquet-mr, in the columns of
 * {@link ProcessedRows#SHARD_SCHEMA} (docs/data-format.md): the features go from the task's arrays to the
 * column writer, never through Spark rows, a staging table or a shuffle. The features are one BINARY value per
 * row (little-endian float32): a list&lt;float&gt; costs parquet-mr a repetition level and four one-byte writes per
 * value, which was a fifth of the whole job. Memory: one row group ({@code output.row_group_mb}). Owns the file:
 * close it.
 */
final class ShardFileWriter implements AutoCloseable {
    static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message omnispark_shard {
              required binary key (STRING);
              required binary features;
              required int32 num_frames;
              required int32 feature_dim;
              required group token_ids (LIST) { repeated group list { required int32 element; } }
              required int32 num_tokens;
              required binary text (STRING);
              required double duration;
              optional double confidence;
              optional binary speaker (STRING);
              optional binary language (STRING);
              required float speed;
              required binary original_key (STRING);
              required binary source (STRING);
              required int64 line;
            }""");

    private final ParquetWriter<Row> writer;

    ShardFileWriter(Path file, Configuration conf, PrepareConfig.Output output) throws IOException {
        CompressionCodecName codec = switch (output.compression()) {
            case "none" -> CompressionCodecName.UNCOMPRESSED;
            case "snappy" -> CompressionCodecName.SNAPPY;
            case "gzip" -> CompressionCodecName.GZIP;
            default -> CompressionCodecName.ZSTD;
        };
        // No dictionary (keys and features do not repeat: the attempt cost ~10% of the job), no min/max of features.
        this.writer = new Builder(file).withConf(conf).withCompressionCodec(codec)
                .withRowGroupSize((long) output.rowGroupMb() << 20)
                .withDictionaryEncoding(false).withDictionaryEncoding("source", true)
                .withDictionaryEncoding("speaker", true).withDictionaryEncoding("language", true)
                .withStatisticsEnabled("features", false)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build();
    }

    /** Writes an accepted row (in {@link ProcessedRows#PROCESSED_SCHEMA}). */
    void write(Row accepted) throws IOException {
        writer.write(accepted);
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
        Builder(Path file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Row> getWriteSupport(Configuration conf) {
            return new RowWriteSupport();
        }
    }

    /** Field i of the schema is field i of the processed row (the shard columns come first, in order). */
    private static final class RowWriteSupport extends WriteSupport<Row> {
        private RecordConsumer out;

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(SCHEMA, new HashMap<>());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Row r) {
            out.startMessage();
            string(0, "key", r.getString(0));
            out.startField("features", 1);
            out.addBinary(Binary.fromConstantByteArray((byte[]) r.get(1)));
            out.endField("features", 1);
            integer(2, "num_frames", r.getInt(2));
            integer(3, "feature_dim", r.getInt(3));
            int[] tokens = (int[]) r.get(4);
            out.startField("token_ids", 4);
            out.startGroup();
            if (tokens.length > 0) {
                out.startField("list", 0);
                for (int t : tokens) {
                    out.startGroup();
                    out.startField("element", 0);
                    out.addInteger(t);
                    out.endField("element", 0);
                    out.endGroup();
                }
                out.endField("list", 0);
            }
            out.endGroup();
            out.endField("token_ids", 4);
            integer(5, "num_tokens", r.getInt(5));
            string(6, "text", r.getString(6));
            float64(7, "duration", r.getDouble(7));
            if (!r.isNullAt(8)) {
                float64(8, "confidence", r.getDouble(8));
            }
            if (!r.isNullAt(9)) {
                string(9, "speaker", r.getString(9));
            }
            if (!r.isNullAt(10)) {
                string(10, "language", r.getString(10));
            }
            out.startField("speed", 11);
            out.addFloat(r.getFloat(11));
            out.endField("speed", 11);
            string(12, "original_key", r.getString(12));
            string(13, "source", r.getString(13));
            out.startField("line", 14);
            out.addLong(r.getLong(14));
            out.endField("line", 14);
            out.endMessage();
        }

        private void string(int index, String name, String value) {
            out.startField(name, index);
            out.addBinary(Binary.fromString(value));
            out.endField(name, index);
        }

        private void integer(int index, String name, int value) {
            out.startField(name, index);
            out.addInteger(value);
            out.endField(name, index);
        }

        private void float64(int index, String name, double value) {
            out.startField(name, index);
            out.addDouble(value);
            out.endField(name, index);
        }
    }
}
