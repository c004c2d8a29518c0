package org.omnispark.data.reader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Streams the rows of one shard file without a SparkSession (parquet-hadoop only), in file order (by duration).
 * Owns an open file: close it, e.g. with try-with-resources.
 */
public final class ShardReader implements Iterator<Utterance>, AutoCloseable {
    private final ParquetReader<Group> reader;
    private final String file;
    private Group next;

    private ShardReader(ParquetReader<Group> reader, String file) {
        this.reader = reader;
        this.file = file;
        advance();
    }

    /** Opens a shard (any Hadoop path: local, HDFS, S3A). */
    public static ShardReader open(String shardFile, Configuration conf) {
        ParquetReader<Group> r;
        try {
            r = ParquetReader.builder(new GroupReadSupport(), new Path(shardFile)).withConf(conf).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shard " + shardFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) { // parquet-mr's own checks of a damaged file
            throw new IllegalStateException("cannot open shard " + shardFile + " (damaged? prepare it again): "
                    + e.getMessage(), e);
        }
        return new ShardReader(r, shardFile); // reads the first row: a damaged file fails here, named
    }

    /** Opens a local shard with a default Hadoop configuration. */
    public static ShardReader open(java.nio.file.Path shardFile) {
        return open(shardFile.toAbsolutePath().toString(), new Configuration());
    }

    private void advance() {
        try {
            next = reader.read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read shard " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) { // parquet-mr's own checks of a damaged file ("not a Parquet file", ...)
            throw new IllegalStateException("cannot read shard " + file + " (damaged? prepare it again): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public Utterance next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        Group g = next;
        advance();
        return toUtterance(g);
    }

    /**
     * One row, in either layout: features as little-endian float32 BINARY (format 2) or as a LIST of floats
     * (format 1, written by Spark).
     */
    static Utterance toUtterance(Group g) {
        float[] features;
        if (g.getType().getType("features").isPrimitive()) {
            java.nio.ByteBuffer b = g.getBinary("features", 0).toByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            features = new float[b.remaining() / 4];
            b.asFloatBuffer().get(features);
        } else {
            Group feats = g.getGroup("features", 0);
            features = new float[feats.getFieldRepetitionCount(0)];
            for (int i = 0; i < features.length; i++) {
                features[i] = feats.getGroup(0, i).getFloat(0, 0);
            }
        }
        Group toks = g.getGroup("token_ids", 0);
        int[] tokens = new int[toks.getFieldRepetitionCount(0)];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = toks.getGroup(0, i).getInteger(0, 0);
        }
        return new Utterance(g.getString("key", 0), features, g.getInteger("num_frames", 0),
                g.getInteger("feature_dim", 0), tokens, g.getString("text", 0), g.getDouble("duration", 0));
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
