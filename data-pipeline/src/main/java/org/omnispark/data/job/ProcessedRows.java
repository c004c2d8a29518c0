package org.omnispark.data.job;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.omnispark.data.RejectReason;
import org.omnispark.data.ingest.ManifestEntry;

/**
 * The schema of the job's processed rows: accepted utterances and rejects in one table (a reject has a non-null
 * {@code reject_reason} and no features). Also the schemas of the two outputs: shards and rejects.
 */
public final class ProcessedRows {
    private ProcessedRows() {
    }

    /** Columns of a shard row, in order; documented in docs/data-format.md. */
    public static final StructType SHARD_SCHEMA = new StructType(new StructField[] {
        field("key", DataTypes.StringType, false),
        field("features", DataTypes.BinaryType, false), // little-endian float32, num_frames x feature_dim
        field("num_frames", DataTypes.IntegerType, false),
        field("feature_dim", DataTypes.IntegerType, false),
        field("token_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
        field("num_tokens", DataTypes.IntegerType, false),
        field("text", DataTypes.StringType, false),
        field("duration", DataTypes.DoubleType, false),
        field("confidence", DataTypes.DoubleType, true),
        field("speaker", DataTypes.StringType, true),
        field("language", DataTypes.StringType, true),
        field("speed", DataTypes.FloatType, false),
        field("original_key", DataTypes.StringType, false),
        field("source", DataTypes.StringType, false),
        field("line", DataTypes.LongType, false),
    });

    /** Shard columns plus the reject columns and per-row CMVN partial sums (dropped on write). */
    public static final StructType PROCESSED_SCHEMA = nullable(SHARD_SCHEMA)
            .add(field("audio_path", DataTypes.StringType, true))
            .add(field("reject_reason", DataTypes.StringType, true))
            .add(field("reject_detail", DataTypes.StringType, true))
            .add(field("stat_sum", DataTypes.createArrayType(DataTypes.DoubleType, false), true))
            .add(field("stat_sumsq", DataTypes.createArrayType(DataTypes.DoubleType, false), true));

    /** Columns of the rejects table. */
    public static final StructType REJECT_SCHEMA = new StructType(new StructField[] {
        field("key", DataTypes.StringType, false),
        field("reason", DataTypes.StringType, false),
        field("detail", DataTypes.StringType, true),
        field("source", DataTypes.StringType, false),
        field("line", DataTypes.LongType, false),
        field("audio_path", DataTypes.StringType, true),
    });

    /** Index of {@code reject_reason} in {@link #PROCESSED_SCHEMA} ({@code reject_detail} follows it). */
    static final int REJECT_REASON = 16;
    /** Index of {@code stat_sum} in {@link #PROCESSED_SCHEMA} ({@code stat_sumsq} follows it). */
    static final int STAT_SUM = 18;

    /** Names of the shard columns, for select(). */
    public static final List<String> SHARD_COLUMNS = List.of(SHARD_SCHEMA.fieldNames());

    private static StructType nullable(StructType schema) {
        StructField[] fields = schema.fields().clone();
        for (int i = 0; i < fields.length; i++) {
            DataType t = fields[i].dataType();
            if (t instanceof org.apache.spark.sql.types.ArrayType a) {
                t = DataTypes.createArrayType(a.elementType(), true);
            }
            fields[i] = field(fields[i].name(), t, true);
        }
        return new StructType(fields);
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    /** An accepted utterance. */
    public static Row accepted(ManifestEntry e, String key, float[] features, int numFrames, int dim, int[] tokens,
                               String text, double duration, float speed, double[] sum, double[] sumsq) {
        return accepted(e, key, float32(features), numFrames, dim, tokens, text, duration, speed, sum, sumsq);
    }

    /** The features as stored: little-endian float32 bytes. */
    public static byte[] float32(float[] features) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * features.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(features);
        return b.array();
    }

    private static Row accepted(ManifestEntry e, String key, byte[] features, int numFrames, int dim, int[] tokens,
                                String text, double duration, float speed, double[] sum, double[] sumsq) {
        // Primitive arrays: Spark's encoder copies them in bulk (boxed arrays are ~12x slower to convert).
        return RowFactory.create(key, features, numFrames, dim, tokens, tokens.length, text, duration,
                e.confidence(), e.speaker(), e.language(), speed, e.key(), e.source(), e.line(), e.audioPath(),
                null, null, sum, sumsq);
    }

    /** A rejected input row in the processed schema. */
    public static Row rejected(ManifestEntry e, RejectReason reason, String detail) {
        return RowFactory.create(e.key(), null, 0, 0, null, 0, e.text(), 0.0, e.confidence(), e.speaker(),
                e.language(), 1.0f, e.key(), e.source(), e.line(), e.audioPath(), reason.name(), detail, null, null);
    }

    /** A row of the rejects table. */
    public static Row reject(String key, RejectReason reason, String detail, String source, long line,
                             String audioPath) {
        return RowFactory.create(key, reason.name(), detail, source, line, audioPath);
    }
}
