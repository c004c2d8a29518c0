package org.omnispark.data.ingest;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;

/**
 * Text files as lines with a bound on a line's length ({@link BoundedLineReader}); the limit is the Hadoop setting
 * {@value ManifestLines#MAX_LINE_BYTES_KEY} (default {@link ManifestLines#DEFAULT_MAX_LINE_BYTES}). Compressed files
 * are not split.
 */
public final class BoundedLineInputFormat extends FileInputFormat<LongWritable, Text> {

    @Override
    public RecordReader<LongWritable, Text> createRecordReader(InputSplit split, TaskAttemptContext context) {
        return new BoundedLineReader(ManifestLines.maxLineBytes(context.getConfiguration()));
    }

    @Override
    protected boolean isSplitable(JobContext context, Path file) {
        return new CompressionCodecFactory(context.getConfiguration()).getCodec(file) == null;
    }
}
