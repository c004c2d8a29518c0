package org.omnispark.data.ingest;

import java.io.Serializable;
import java.util.Optional;
import org.omnispark.data.RejectReason;

/**
 * Line parsers for a Kaldi data directory: {@code text} (utt transcript), {@code wav.scp} (rec path), and the optional
 * {@code segments} (utt rec start end) and {@code utt2spk}. The utterance list is {@code text}: every line of it
 * becomes one input row. The join itself runs on Spark ({@link ManifestSource}).
 */
public final class KaldiDataDir {
    private KaldiDataDir() {
    }

    /** One {@code text} line. */
    public record TextLine(String utt, String transcript, long line) implements Serializable {
    }

    /**
     * One {@code segments} line.
     *
     * @param error why the line is malformed (the utterance becomes a MALFORMED_MANIFEST_LINE reject), else null
     */
    public record Segment(String utt, String recording, double start, double end, String error)
            implements Serializable {
    }

    /** Splits "id rest" at the first run of whitespace; rest may be empty. */
    static String[] splitFirst(String line) {
        String trimmed = line.strip();
        int i = 0;
        while (i < trimmed.length() && !Character.isWhitespace(trimmed.charAt(i))) {
            i++;
        }
        return new String[] {trimmed.substring(0, i), trimmed.substring(i).strip()};
    }

    /** Parses a {@code text} line; empty lines give empty. */
    public static Optional<TextLine> parseText(String raw, long line) {
        if (raw.isBlank()) {
            return Optional.empty();
        }
        if (ManifestLines.tooLongBytes(raw) >= 0) { // no utterance id can be read: the line stands for itself
            return Optional.of(new TextLine("text:" + (line + 1), raw, line));
        }
        String[] parts = splitFirst(raw);
        return Optional.of(new TextLine(parts[0], parts[1], line));
    }

    /**
     * Parses a {@code segments} line (1-based {@code line} for messages). A malformed line never throws: its
     * {@link Segment#error()} says what is wrong, and the utterance it names is rejected with that reason.
     */
    public static Segment parseSegment(String raw, long line) {
        String[] f = raw.strip().split("\\s+");
        String where = "segments line " + line + " ";
        if (f.length != 4) {
            return new Segment(f[0], null, 0, 0, where + "must be 'utt rec start end', got: " + abbreviate(raw));
        }
        double start;
        double end;
        try {
            start = Double.parseDouble(f[2]);
            end = Double.parseDouble(f[3]);
        } catch (NumberFormatException e) {
            return new Segment(f[0], f[1], 0, 0, where + "has a start or end that is not a number: "
                    + abbreviate(raw));
        }
        if (!(start >= 0) || Double.isInfinite(start) || Double.isNaN(end) || Double.isInfinite(end)
                || (end >= 0 && end <= start)) {
            return new Segment(f[0], f[1], start, end, where + "gives segment " + f[0] + " start " + start
                    + " and end " + end + ": need 0 <= start < end (end -1 means to the end of the recording)");
        }
        return new Segment(f[0], f[1], start, end, null);
    }

    /** The first 200 characters of a line, for messages. */
    static String abbreviate(String raw) {
        return raw.length() <= 200 ? raw : raw.substring(0, 200) + "... (" + raw.length() + " characters)";
    }

    /**
     * Turns a joined {@code text} line into a parsed manifest row.
     *
     * @param text the transcript line
     * @param segment its segment, or null when utterance ids are recording ids
     * @param wavScpValue the wav.scp value of the recording, or null when wav.scp has none
     * @param speaker the utt2spk value or null
     * @param source the data directory
     */
    public static ParsedLine toParsedLine(TextLine text, Segment segment, String wavScpValue, String speaker,
                                          String source) {
        long tooLong = ManifestLines.tooLongBytes(text.transcript());
        if (tooLong >= 0) {
            return ParsedLine.malformed("text " + ManifestLines.tooLongMessage(tooLong), text.utt(), source,
                    text.line());
        }
        if (segment != null && segment.error() != null) {
            return ParsedLine.malformed(segment.error(), text.utt(), source, text.line());
        }
        String recording = segment == null ? text.utt() : segment.recording();
        if (wavScpValue == null) {
            return ParsedLine.rejected(RejectReason.MISSING_AUDIO,
                    "recording '" + recording + "' is not in wav.scp", text.utt(), source, text.line());
        }
        if (wavScpValue.endsWith("|")) {
            return ParsedLine.rejected(RejectReason.UNSUPPORTED_AUDIO,
                    "wav.scp entry is a command pipe, which OmniSpark does not run; write the audio to files "
                            + "(e.g. with wav-copy or sox) and point wav.scp at them", text.utt(), source,
                    text.line());
        }
        double offset = segment == null ? 0 : segment.start();
        double length = segment == null || segment.end() < 0 ? -1 : segment.end() - segment.start();
        return ParsedLine.ok(new ManifestEntry(text.utt(), wavScpValue, text.transcript(), null, null, speaker, null,
                offset, length, source, text.line()));
    }
}
