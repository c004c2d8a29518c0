package org.omnispark.data.ingest;

import java.io.Serializable;
import org.omnispark.data.RejectReason;

/**
 * The result of parsing one manifest line: either an entry, or the reason the line is malformed.
 *
 * @param entry the parsed entry, or null when the line is malformed
 * @param reason why the line is rejected (usually MALFORMED_MANIFEST_LINE), or null when it parsed
 * @param error what is wrong with the line, or null when it parsed
 * @param keyHint the best key that could be recovered for a malformed line (for the rejects table)
 * @param source the manifest file
 * @param line the 0-based line number
 */
public record ParsedLine(ManifestEntry entry, RejectReason reason, String error, String keyHint, String source, long line)
        implements Serializable {

    static ParsedLine ok(ManifestEntry entry) {
        return new ParsedLine(entry, null, null, entry.key(), entry.source(), entry.line());
    }

    static ParsedLine malformed(String error, String keyHint, String source, long line) {
        return rejected(RejectReason.MALFORMED_MANIFEST_LINE, error, keyHint, source, line);
    }

    static ParsedLine rejected(RejectReason reason, String error, String keyHint, String source, long line) {
        return new ParsedLine(null, reason, error, keyHint, source, line);
    }

    public boolean isMalformed() {
        return entry == null;
    }
}
