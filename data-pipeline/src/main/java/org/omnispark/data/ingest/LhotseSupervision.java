package org.omnispark.data.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.List;
import org.omnispark.data.RejectReason;

/**
 * A Lhotse {@code SupervisionSegment}: one utterance. Lhotse writes it as {@code {"id", "recording_id", "start",
 * "duration", "channel", "text"?, "language"?, "speaker"?, "gender"?, "custom"?, "alignment"?}} (absent fields are
 * left out). In a SupervisionSet {@code start} is relative to the recording; inside a cut, to the cut's start.
 *
 * @param id the supervision id, or null when absent (a cut's only supervision then takes the cut's id)
 * @param recordingId the recording it belongs to
 * @param start start in seconds (relative, see above)
 * @param duration length in seconds
 * @param channel the channel(s) it is on, or null when absent
 * @param text the transcript, or null
 * @param speaker speaker id or null
 * @param language language or null
 */
public record LhotseSupervision(String id, String recordingId, double start, double duration, List<Integer> channel,
                                String text, String speaker, String language) implements Serializable {

    /**
     * Reads a supervision object.
     *
     * @throws IllegalArgumentException saying what is missing or of the wrong type
     */
    public static LhotseSupervision parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a supervision must be a JSON object");
        }
        String id = LhotseManifest.text(node, "id");
        String what = id == null ? "the supervision" : "supervision '" + id + "'";
        String recordingId = LhotseManifest.text(node, "recording_id");
        double start = LhotseManifest.requiredNumber(node, "start", what);
        double duration = LhotseManifest.requiredNumber(node, "duration", what);
        if (!(duration > 0) || Double.isInfinite(duration) || Double.isNaN(start) || Double.isInfinite(start)) {
            throw new IllegalArgumentException(what + " has start " + start + " and duration " + duration
                    + ": need a finite start and a duration > 0");
        }
        List<Integer> channel = LhotseManifest.channels(node.get("channel"), "channel of " + what);
        return new LhotseSupervision(id, recordingId, start, duration, channel, LhotseManifest.text(node, "text"),
                LhotseManifest.text(node, "speaker"), LhotseManifest.text(node, "language"));
    }

    /**
     * The manifest row of this supervision.
     *
     * @param key the row's key (the supervision id, or its cut's)
     * @param recording the recording it is on
     * @param cutStart where the supervision's times count from in the recording (the cut's start; 0 in a
     *     SupervisionSet)
     * @param defaultChannel the channel when the supervision names none (the cut's), or null for the recording's first
     * @param source the manifest file
     * @param line the 0-based line in {@code source}
     */
    public ParsedLine toParsedLine(String key, LhotseRecording recording, double cutStart, Integer defaultChannel,
                                   String source, long line) {
        if (text == null) {
            return ParsedLine.rejected(RejectReason.EMPTY_TRANSCRIPT, "supervision '" + key + "' has no text: "
                    + "prepare needs a transcript for every supervision", key, source, line);
        }
        int ch;
        if (channel != null && channel.size() != 1) {
            return ParsedLine.rejected(RejectReason.UNSUPPORTED_AUDIO, "supervision '" + key + "' is on channels "
                    + channel + " of recording '" + recording.id() + "'; prepare makes one single-channel utterance "
                    + "per supervision: give each channel its own supervision", key, source, line);
        } else if (channel != null) {
            ch = channel.get(0);
        } else if (defaultChannel != null) {
            ch = defaultChannel;
        } else {
            ch = recording.channelIds().isEmpty() ? 0 : recording.channelIds().get(0);
        }
        LhotseRecording.AudioChoice audio = recording.audioFor(ch);
        if (audio.path() == null) {
            return ParsedLine.rejected(audio.reason(), audio.error() + " (supervision '" + key + "')", key, source,
                    line);
        }
        // Lhotse rounds supervision times to 8 decimals (SupervisionSegment.with_offset); so does this.
        double offset = Math.round((cutStart + start) * 1e8) / 1e8;
        if (offset < 0) {
            return ParsedLine.rejected(RejectReason.SEGMENT_OUT_OF_RANGE, "supervision '" + key + "' starts at "
                    + offset + " s of recording '" + recording.id() + "' (cut start " + cutStart + " + supervision "
                    + "start " + start + "), before the recording begins: trim it to the recording (e.g. "
                    + "CutSet.trim_to_supervisions)", key, source, line);
        }
        return ParsedLine.ok(new ManifestEntry(key, audio.path(), text, null, duration, speaker, language, offset,
                duration, source, line));
    }
}
