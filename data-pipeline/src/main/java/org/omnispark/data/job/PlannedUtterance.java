package org.omnispark.data.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.audio.DurationProbe;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.ingest.TarMember;

/**
 * A manifest entry with the duration its audio header declares, for planning shards before any decoding: the
 * segment length when the entry has one, else the header's duration (from the first {@value DurationProbe#HEAD_BYTES}
 * bytes of the file, of a tar member's byte range, or of the bytes a Parquet row holds), else an estimate from the file size (16-bit mono 16 kHz); 0
 * for a file that does not exist (it becomes a reject when processed). An I/O error is retried, then fails the task (as processing does): a guess would be
 * saved in the {@link ShardPlan} for good.
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
        long backoffMillis = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                seconds = headerSeconds(e, conf);
                break;
            } catch (FileNotFoundException ex) {
                seconds = 0;
                break;
            } catch (IOException ex) {
                if (attempt >= UtteranceProcessor.READ_ATTEMPTS) {
                    throw new UncheckedIOException("cannot read the audio header of '" + e.key() + "' at "
                            + e.audioPath() + " to plan the shards, after " + attempt + " attempts: " + ex
                            + "; the task fails so that Spark retries it (check permissions and the file system's"
                            + " health)", ex);
                }
                UtteranceProcessor.sleep(backoffMillis);
                backoffMillis *= 2;
            }
        }
        if (e.isSegment()) {
            seconds = Math.max(0, seconds - e.offset());
        }
        return new PlannedUtterance(e, Math.min(seconds, 1e7));
    }

    private static double headerSeconds(ManifestEntry e, Configuration conf) throws IOException {
        if (e.hasEmbeddedAudio()) {
            byte[] bytes = e.audioBytes();
            return declared(java.util.Arrays.copyOf(bytes, Math.min(bytes.length, DurationProbe.HEAD_BYTES)),
                    bytes.length);
        }
        TarMember member;
        try {
            member = TarMember.parse(e.audioPath());
        } catch (IllegalArgumentException bad) {
            return 0; // processing rejects the reference with the reason
        }
        Path path = new Path(member == null ? e.audioPath() : member.tar());
        FileSystem fs = path.getFileSystem(conf);
        long length = member == null ? fs.getFileStatus(path).getLen() : member.length();
        byte[] head = new byte[(int) Math.min(length, DurationProbe.HEAD_BYTES)];
        try (FSDataInputStream in = fs.open(path)) {
            in.readFully(member == null ? 0 : member.offset(), head); // a tar member: a range inside the tar
        }
        return declared(head, length);
    }

    /** The header's duration, else an estimate from the size (16-bit mono 16 kHz). */
    private static double declared(byte[] head, long length) {
        double declared;
        try {
            declared = DurationProbe.seconds(head, length);
        } catch (RuntimeException damaged) {
            declared = Double.NaN; // a damaged header: processing rejects the file with the reason
        }
        return Double.isFinite(declared) ? declared : length / 32000.0;
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
