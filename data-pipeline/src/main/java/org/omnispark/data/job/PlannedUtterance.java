package org.omnispark.data.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.audio.DurationProbe;
import org.omnispark.data.ingest.ManifestEntry;

/**
 * A manifest entry with the duration its audio header declares, for planning shards before any decoding: the
 * segment length when the entry has one, else the header's duration (from the first {@value DurationProbe#HEAD_BYTES}
 * bytes), else an estimate from the file size (16-bit mono 16 kHz); 0 for a file that does not exist (it becomes a
 * reject when processed).
 *
 * @param entry the manifest entry
 * @param seconds the planned duration
 */
record PlannedUtterance(ManifestEntry entry, double seconds) implements Serializable {

    /** Reads the head of the entry's audio file (one small read) and plans it. */
    static PlannedUtterance probe(ManifestEntry e, Configuration conf) {
        if (e.isSegment() && e.length() >= 0) {
            return new PlannedUtterance(e, e.length());
        }
        double seconds;
        try {
            Path path = new Path(e.audioPath());
            FileSystem fs = path.getFileSystem(conf);
            long length = fs.getFileStatus(path).getLen();
            byte[] head;
            try (InputStream in = fs.open(path)) {
                head = in.readNBytes((int) Math.min(length, DurationProbe.HEAD_BYTES));
            }
            double declared = DurationProbe.seconds(head, length);
            seconds = Double.isFinite(declared) ? declared : length / 32000.0;
        } catch (FileNotFoundException ex) {
            seconds = 0;
        } catch (IOException | RuntimeException ex) {
            seconds = 0; // processing reads the file again, with retries, and reports what is wrong
        }
        if (e.isSegment()) {
            seconds = Math.max(0, seconds - e.offset());
        }
        return new PlannedUtterance(e, Math.min(seconds, 1e7));
    }

    /** Longest first, then by key: the order in which rows are dealt to shards. */
    record DealOrder(double seconds, String key) implements Comparable<DealOrder>, Serializable {
        static DealOrder of(PlannedUtterance p) {
            return new DealOrder(p.seconds(), p.entry().key());
        }

        @Override
        public int compareTo(DealOrder o) {
            int c = Double.compare(o.seconds, seconds);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }
}
