package org.omnispark.data.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.omnispark.data.RejectReason;

/**
 * A Lhotse {@code Recording} as far as {@code prepare} needs it: its id, its audio sources and the channels each one
 * holds, and the names of its audio transforms. Lhotse writes it as
 * {@code {"id", "sources": [{"type", "channels", "source"}], "sampling_rate", "num_samples", "duration",
 * "channel_ids"?, "transforms"?}}; the sampling rate and lengths are not used (the audio's own header is).
 *
 * @param id the recording id
 * @param sources the audio sources, in manifest order
 * @param channelIds the recording's channels ({@code channel_ids}, else the union of the sources' channels)
 * @param transforms the names of the recording's audio transforms (e.g. Speed), empty when none
 */
public record LhotseRecording(String id, List<Source> sources, List<Integer> channelIds, List<String> transforms)
        implements Serializable {

    /**
     * How the audio of a Lhotse Shar cut is named before its tar member is known: this prefix + the cut id
     * ({@link #withSharMember}); {@link LhotseSharSource} replaces it with the member's {@link TarMember} reference.
     */
    public static final String SHAR_MEMBER = "lhotse-shar-member:";

    /** Transforms that need not be applied: {@code prepare} resamples every file to audio.sample_rate itself. */
    static final Set<String> IGNORED_TRANSFORMS = Set.of("Resample");

    public LhotseRecording {
        sources = List.copyOf(sources);
        channelIds = List.copyOf(channelIds);
        transforms = List.copyOf(transforms);
    }

    /**
     * One Lhotse {@code AudioSource}.
     *
     * @param type file, url, command, memory or shar
     * @param channels the recording channels this source holds
     * @param source the path, URL or command
     */
    public record Source(String type, List<Integer> channels, String source) implements Serializable {
        public Source {
            channels = List.copyOf(channels);
        }
    }

    /**
     * The audio of one channel: a file path, or why it cannot be read.
     *
     * @param path the file's path as written in the manifest, or null when rejected
     * @param reason why not, or null
     * @param error what to do about it, or null
     */
    public record AudioChoice(String path, RejectReason reason, String error) implements Serializable {
        static AudioChoice reject(RejectReason reason, String error) {
            return new AudioChoice(null, reason, error);
        }
    }

    /**
     * Reads a recording object.
     *
     * @throws IllegalArgumentException saying what is missing or of the wrong type
     */
    public static LhotseRecording parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the recording must be a JSON object");
        }
        String id = LhotseManifest.requiredText(node, "id", "recording");
        JsonNode sources = node.get("sources");
        if (sources == null || !sources.isArray() || sources.isEmpty()) {
            throw new IllegalArgumentException("recording '" + id + "' has no 'sources' list");
        }
        List<Source> parsed = new ArrayList<>();
        List<Integer> union = new ArrayList<>();
        for (JsonNode s : sources) {
            if (!s.isObject()) {
                throw new IllegalArgumentException("recording '" + id + "' has a source that is not an object");
            }
            String type = LhotseManifest.requiredText(s, "type", "source of recording '" + id + "'");
            JsonNode src = s.get("source");
            String where = src == null || src.isNull() ? null : src.isTextual() ? src.textValue() : "<binary>";
            List<Integer> channels = LhotseManifest.channels(s.get("channels"), "channels of a source of recording '"
                    + id + "'");
            if (channels == null) {
                channels = List.of(0); // Lhotse always writes them; a hand-made mono recording may not
            }
            parsed.add(new Source(type, channels, where));
            channels.stream().filter(c -> !union.contains(c)).forEach(union::add);
        }
        List<Integer> channelIds = LhotseManifest.channels(node.get("channel_ids"), "channel_ids of recording '"
                + id + "'");
        if (channelIds == null) {
            channelIds = union.stream().sorted().toList();
        }
        List<String> transforms = new ArrayList<>();
        JsonNode t = node.get("transforms");
        if (t != null && t.isArray()) {
            for (JsonNode one : t) {
                JsonNode name = one.get("name");
                transforms.add(name != null && name.isTextual() ? name.textValue() : one.toString());
            }
        }
        return new LhotseRecording(id, parsed, channelIds, transforms);
    }

    /**
     * This recording as read from a Lhotse Shar shard: its {@code shar} placeholder source (Lhotse writes one, holding
     * the cut's channels) becomes a file source named {@link #SHAR_MEMBER} + {@code cutId}, the cut's audio member in
     * the shard's {@code recording} tar; other sources are kept.
     */
    public LhotseRecording withSharMember(String cutId) {
        return new LhotseRecording(id, sources.stream().map(s -> s.type().equals("shar")
                ? new Source("file", s.channels(), SHAR_MEMBER + cutId) : s).toList(), channelIds, transforms);
    }

    /**
     * The audio file that holds {@code channel} alone. {@code prepare}'s decoder mixes a file's channels down to one,
     * so one channel of a multi-channel recording can be read only when a source holds that channel by itself (Lhotse
     * writes one source per channel for corpora with a file per microphone).
     */
    public AudioChoice audioFor(int channel) {
        List<String> applied = transforms.stream().filter(n -> !IGNORED_TRANSFORMS.contains(n)).toList();
        if (!applied.isEmpty()) {
            return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, "recording '" + id + "' has audio transforms "
                    + applied + " (e.g. from perturb_speed), which prepare does not apply: use the cuts without them "
                    + "and set audio.speed_perturb, or write the transformed audio to files (CutSet.save_audios)");
        }
        Source chosen = sources.stream().filter(s -> s.channels().contains(channel)).findFirst().orElse(null);
        if (chosen == null) {
            return AudioChoice.reject(RejectReason.MALFORMED_MANIFEST_LINE, "recording '" + id + "' has no source "
                    + "for channel " + channel + " (its sources hold channels " + channelIds + "): fix the "
                    + "supervision's channel or the recording's sources");
        }
        String what = "recording '" + id + "' has its channel " + channel + " in a '" + chosen.type() + "' source";
        switch (chosen.type()) {
            case "file" -> {
                if (chosen.source() == null || chosen.source().isBlank()) {
                    return AudioChoice.reject(RejectReason.MALFORMED_MANIFEST_LINE, what + " without a path");
                }
                if (chosen.channels().size() > 1 && chosen.source().startsWith(SHAR_MEMBER)) {
                    return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, "the Lhotse Shar member of cut '"
                            + chosen.source().substring(SHAR_MEMBER.length()) + "' holds channels "
                            + chosen.channels() + " in one file; prepare mixes a file's channels down to one and "
                            + "cannot pick channel " + channel + ": write the Shar from single-channel cuts "
                            + "(cut.to_mono(mono_downmix=False) before to_shar)");
                }
                if (chosen.channels().size() > 1) {
                    return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, "recording '" + id + "' has channels "
                            + chosen.channels() + " in one file (" + chosen.source() + "); prepare mixes a file's "
                            + "channels down to one and cannot pick channel " + channel + ": split it into one mono "
                            + "file per channel (sox IN OUT remix N) and give the recording one source per channel");
                }
                return new AudioChoice(chosen.source(), null, null);
            }
            case "url" -> {
                return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, what + " (" + chosen.source() + "), which "
                        + "prepare does not download: copy the audio to a file system Hadoop reads (local, HDFS, "
                        + "S3A) and make it a 'file' source with that path");
            }
            case "command" -> {
                return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, what + " (" + chosen.source() + "), which "
                        + "prepare does not run: write the audio to files first (e.g. CutSet.save_audios) and make "
                        + "them 'file' sources");
            }
            case "memory" -> {
                return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, what + " (audio bytes inside the "
                        + "manifest), which prepare does not read: write the audio to files (CutSet.save_audios)");
            }
            case "shar" -> {
                return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, what + " (a Lhotse Shar placeholder): "
                        + "its audio is in the Shar's recording.NNNNNN.tar, which a cuts file alone does not name; "
                        + "pass the Shar folder (cuts.NNNNNN.jsonl.gz beside recording.NNNNNN.tar) with "
                        + "--manifest-format lhotse_shar or auto");
            }
            default -> {
                return AudioChoice.reject(RejectReason.UNSUPPORTED_AUDIO, what + ", a type Lhotse does not define "
                        + "(file, url, command, memory, shar); prepare reads 'file' sources");
            }
        }
    }
}
