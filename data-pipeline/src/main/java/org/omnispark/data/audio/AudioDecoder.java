package org.omnispark.data.audio;

import java.nio.charset.StandardCharsets;
import org.omnispark.data.RejectReason;

/**
 * Decodes an audio file held in memory into mono {@link Audio} at the file's own sample rate (no resampling: use
 * {@link Resampler}). The container is recognised by its magic bytes, not by the file name:
 * <ul>
 *   <li>RIFF/WAVE, including WAVE_FORMAT_EXTENSIBLE: PCM 8-bit unsigned, 16/24/32-bit signed little-endian, IEEE
 *       float 32/64. Integer full scale maps to 1.0 (16-bit: s / 32768). A data chunk size of 0xFFFFFFFF, or of 0
 *       with bytes after it (streaming writers), means "to the end of the file".</li>
 *   <li>FLAC ("fLaC", optionally behind an ID3v2 tag), 4 to 32 bits, by OmniSpark's own {@link FlacDecoder}, written
 *       to fail cleanly and quickly on damaged files.</li>
 *   <li>MP3: MPEG-1, 2 and 2.5 layer III (8 to 48 kHz, mono or stereo, CBR or VBR), optionally behind an ID3v2 tag:
 *       an MPEG frame sync at the start, then a chain of valid frame headers ({@link Mp3Stream}) decoded frame by
 *       frame by {@link Mp3Decoder} (JLayer's layer III decoder). LAME's encoder delay and padding are trimmed as
 *       ffmpeg trims them.</li>
 *   <li>Ogg Opus (RFC 7845): one logical Ogg stream ({@link OggStream}: CRC and page sequence checked) whose first
 *       packet is "OpusHead", mono or stereo, decoded packet by packet at 48 kHz by {@link OpusPacketDecoder}
 *       (Concentus); pre-skip and the last page's granule position are trimmed as ffmpeg trims them. FLAC and Speex
 *       in Ogg, and chained or multiplexed Ogg files, are UNSUPPORTED_AUDIO ({@link OggStream#requireOpus}).</li>
 *   <li>Opus in Matroska/WebM (EBML): the first audio track's frames ({@link MatroskaDemuxer}: bounded element walk,
 *       lacing, unknown-size Segments and Clusters), its CodecPrivate the OpusHead, decoded by the same
 *       {@link OpusPacketDecoder}; pre-skip and each block's DiscardPadding are trimmed as ffmpeg trims them.</li>
 *   <li>Vorbis, in Ogg or in Matroska/WebM: the container is read as above, then the samples come from an external
 *       ffmpeg ({@link VorbisDecoding}, {@link ExternalDecoder}: killed at the deadline, its output capped at
 *       {@link DecodeLimits#maxSeconds()}), as no Java Vorbis decoder is available; UNSUPPORTED_AUDIO when the
 *       external decoder is {@link ExternalDecoder#NONE} or ffmpeg is not installed.</li>
 * </ul>
 * Several channels are downmixed to their mean. Everything else is rejected with an {@link AudioFormatException}
 * whose {@link AudioFormatException#reason() reason} is CORRUPT_AUDIO (empty file, bad header, no fmt/data chunk,
 * damaged FLAC frame, unknown bytes), TRUNCATED_AUDIO (the file ends before its header says it should) or
 * UNSUPPORTED_AUDIO (MPEG layer I/II, AAC, other codecs in Matroska, AIFF, NIST SPHERE, A-law, mu-law, ADPCM, 12-bit
 * PCM, RF64...), TOO_LONG (more than {@link DecodeLimits#maxSeconds()}), and a message that says what to do. Work
 * and memory are bounded by the file's real size and the {@link DecodeLimits}, never by a header field (for Vorbis,
 * ffmpeg's process by the same limits and its address space); {@link org.omnispark.data.Deadline.Exceeded} is thrown
 * when the limits' deadline passes.
 *
 * <p>Stateless and thread-safe.
 */
public final class AudioDecoder {
    private static final String SOX = "convert with: sox in.ext -r 16000 -b 16 out.wav";

    private AudioDecoder() {
    }

    /**
     * Decodes a whole file.
     *
     * @param data the file's bytes
     * @param nameForMessages the file's name or path, used only in error messages
     * @return mono audio at the file's sample rate
     * @throws AudioFormatException when the bytes are not audio OmniSpark can decode
     */
    public static Audio decode(byte[] data, String nameForMessages) throws AudioFormatException {
        return decode(data, nameForMessages, 0, -1, DecodeLimits.NONE);
    }

    /** Decodes a segment without limits; see {@link #decode(byte[], String, double, double, DecodeLimits)}. */
    public static Audio decode(byte[] data, String name, double offsetSeconds, double durationSeconds)
            throws AudioFormatException {
        return decode(data, name, offsetSeconds, durationSeconds, DecodeLimits.NONE);
    }

    /**
     * Decodes the segment [offset, offset + duration) of a file (a Kaldi "segments" entry, a manifest offset).
     * Sample indices are rounded to the nearest sample: start = round(offset * rate), count = round(duration * rate).
     * A segment that ends after the recording is clipped to the recording's end (segment lists often overshoot by
     * a few milliseconds). WAV segments decode only the segment's bytes; FLAC decodes up to the segment's end and
     * does not look for damage after it; MP3 walks all frame headers, then decodes from 10 frames before the segment
     * (to refill the bit reservoir: the samples equal those of a whole decode) to its end.
     *
     * @param offsetSeconds where the segment starts, at least 0
     * @param durationSeconds how long it is; negative means "to the end of the file"
     * @param limits the longest audio to decode and the deadline
     * @throws AudioFormatException TOO_LONG when the segment (or the file) is longer than limits.maxSeconds();
     *     SEGMENT_OUT_OF_RANGE when the offset is negative or not finite, the duration
     *     not finite, or the segment starts at or beyond the end of a non-empty recording; else as
     *     {@link #decode(byte[], String)}
     */
    public static Audio decode(byte[] data, String name, double offsetSeconds, double durationSeconds,
            DecodeLimits limits) throws AudioFormatException {
        return decode(data, name, offsetSeconds, durationSeconds, limits, ExternalDecoder.FFMPEG);
    }

    /**
     * As {@link #decode(byte[], String, double, double, DecodeLimits)}, with Vorbis decoded by {@code external}
     * (audio.external_decoder; {@link ExternalDecoder#NONE} makes Vorbis an UNSUPPORTED_AUDIO reject).
     */
    public static Audio decode(byte[] data, String name, double offsetSeconds, double durationSeconds,
            DecodeLimits limits, ExternalDecoder external) throws AudioFormatException {
        if (!(offsetSeconds >= 0) || Double.isInfinite(offsetSeconds) || Double.isNaN(durationSeconds)
                || Double.isInfinite(durationSeconds)) {
            throw new AudioFormatException(RejectReason.SEGMENT_OUT_OF_RANGE, name + ": segment offset "
                    + offsetSeconds + " s, duration " + durationSeconds + " s is not a valid range; fix the segment"
                    + " list (offset >= 0, finite duration, negative duration = to the end)");
        }
        if (data == null || data.length == 0) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO,
                    name + ": file is empty (0 bytes); re-copy or re-create it");
        }
        switch (detect(data, name)) {
            case WAV:
                return decodeWav(data, name, offsetSeconds, durationSeconds, limits);
            case FLAC:
                return decodeFlac(data, name, offsetSeconds, durationSeconds, limits);
            case MP3:
                return decodeMp3(data, name, offsetSeconds, durationSeconds, limits);
            case OGG:
                return decodeOgg(data, name, offsetSeconds, durationSeconds, limits, external);
            case WEBM:
                return decodeWebm(data, name, offsetSeconds, durationSeconds, limits, external);
            default:
                throw new AssertionError();
        }
    }

    private static Audio decodeWav(byte[] data, String name, double offset, double duration, DecodeLimits limits)
            throws AudioFormatException {
        WavHeader h = WavHeader.parse(data, name);
        long[] range = segment(h.frames(), h.sampleRate(), offset, duration, name);
        int start = (int) range[0];
        int count = (int) range[1];
        if (count > limits.maxSamples(h.sampleRate())) {
            throw tooLong(name, count / (double) h.sampleRate(), limits);
        }
        float[] samples = new float[count];
        h.encoding().decodeMono(data, h.dataOffset() + start * h.blockAlign(), count, h.channels(), samples, 0);
        checkFinite(h, samples, start, name);
        return new Audio(samples, h.sampleRate());
    }

    /**
     * Where a segment's samples lie in a WAV file, from the file's first bytes: for reading only those bytes of a
     * long recording (a Kaldi segment of an hour-long WAV). Null when {@code head} is not the start of a WAV file or
     * does not reach its data chunk; then decode the whole file.
     *
     * @param head the first bytes of the file
     * @param fileLength the file's length
     * @throws AudioFormatException as {@link #decode(byte[], String, double, double, DecodeLimits)} would for the
     *     whole file: a broken header, a segment outside the recording, more than limits.maxSeconds()
     */
    public static WavSegment wavSegment(byte[] head, long fileLength, String name, double offsetSeconds,
            double durationSeconds, DecodeLimits limits) throws AudioFormatException {
        if (head.length < 12 || !WavHeader.fourcc(head, 0).equals("RIFF") || !WavHeader.fourcc(head, 8)
                .equals("WAVE") || !(offsetSeconds >= 0) || Double.isInfinite(offsetSeconds)
                || Double.isNaN(durationSeconds) || Double.isInfinite(durationSeconds)) {
            return null;
        }
        WavHeader h = WavHeader.parse(head, fileLength, name);
        if (h == null) {
            return null;
        }
        long[] range = segment(h.frames(), h.sampleRate(), offsetSeconds, durationSeconds, name);
        if (range[1] > limits.maxSamples(h.sampleRate())) {
            throw tooLong(name, range[1] / (double) h.sampleRate(), limits);
        }
        return new WavSegment(h, h.dataOffset() + range[0] * h.blockAlign(), (int) range[1], range[0]);
    }

    /**
     * A segment of a WAV file: its header and where its frames lie.
     *
     * @param byteOffset the file offset of the segment's first frame
     * @param frames frames in the segment
     * @param firstFrame the segment's first frame in the recording (for messages)
     */
    public record WavSegment(WavHeader header, long byteOffset, int frames, long firstFrame) {
        /** Bytes to read from {@link #byteOffset()}. */
        public int byteCount() {
            return frames * header.blockAlign();
        }

        /** Decodes the segment's bytes (read from the file at byteOffset) exactly as decoding the whole file would. */
        public Audio decode(byte[] bytes, String name) throws AudioFormatException {
            float[] samples = new float[frames];
            header.encoding().decodeMono(bytes, 0, frames, header.channels(), samples, 0);
            checkFinite(header, samples, firstFrame, name);
            return new Audio(samples, header.sampleRate());
        }
    }

    private static void checkFinite(WavHeader h, float[] samples, long firstFrame, String name)
            throws AudioFormatException {
        if (h.encoding().isFloat()) {
            for (int i = 0; i < samples.length; i++) {
                if (!Float.isFinite(samples[i])) {
                    throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": float WAV holds "
                            + samples[i] + " at frame " + (firstFrame + i) + "; " + SOX.replace("convert", "clean it,"));
                }
            }
        }
    }

    private static Audio decodeFlac(byte[] data, String name, double offset, double duration, DecodeLimits limits)
            throws AudioFormatException {
        if (offset == 0 && duration < 0) {
            return FlacDecoder.decode(data, name, -1, limits);
        }
        // Decode only as far as the segment reaches; the rate is only known after the header, so peek first.
        int rate = FlacDecoder.decode(data, name, 0, limits).sampleRate();
        // At least one sample past the start, so that "starts beyond the end" is told apart from an empty segment.
        long start = Math.round(offset * rate);
        long end = duration < 0 ? -1 : start + Math.max(1, Math.round(duration * rate));
        if (duration >= 0 && Math.round(duration * rate) > limits.maxSamples(rate)) {
            throw tooLong(name, duration, limits);
        }
        // The samples before the segment are decoded too: allow them on top of the length limit.
        DecodeLimits upTo = new DecodeLimits(limits.maxSeconds() + offset, limits.deadline());
        Audio upToEnd = FlacDecoder.decode(data, name, end, upTo);
        long[] range = segment(upToEnd.samples().length, rate, offset, duration, name);
        if (range[1] > limits.maxSamples(rate)) {
            throw tooLong(name, range[1] / (double) rate, limits);
        }
        float[] samples = new float[(int) range[1]];
        System.arraycopy(upToEnd.samples(), (int) range[0], samples, 0, samples.length);
        return new Audio(samples, rate);
    }

    private static Audio decodeMp3(byte[] data, String name, double offset, double duration, DecodeLimits limits)
            throws AudioFormatException {
        Mp3Stream s = Mp3Stream.scan(data, name);
        int rate = s.header().sampleRate();
        // The frame walk counts the samples exactly before anything is decoded: a long file is rejected unread.
        if (offset == 0 && duration < 0 && s.samples() > limits.maxSamples(rate)) {
            throw tooLong(name, s.samples() / (double) rate, limits);
        }
        long[] range = segment(s.samples(), rate, offset, duration, name);
        if (range[1] > limits.maxSamples(rate)) {
            throw tooLong(name, range[1] / (double) rate, limits);
        }
        try {
            return Mp3Decoder.decode(data, s, name, range[0], range[1], limits.deadline());
        } catch (LinkageError e) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": MP3 decoding is not available: "
                    + "JLayer (javazoom:jlayer) is not on the classpath (" + e + "); use the OmniSpark application jar,"
                    + " add javazoom:jlayer:1.0.1, or convert with: ffmpeg -i in.mp3 -ar 16000 -ac 1 out.wav", e);
        }
    }

    private static Audio decodeOgg(byte[] data, String name, double offset, double duration, DecodeLimits limits,
            ExternalDecoder external) throws AudioFormatException {
        OggStream s = OggStream.read(data, name);
        if (s.startsWith(0, "\u0001vorbis")) {
            return VorbisDecoding.ogg(data, s, name, offset, duration, limits, external);
        }
        OpusHead head = OpusHead.parse(s.requireOpus(name), name);
        return decodeOpus(OpusPackets.ofOgg(s), head, name, offset, duration, limits, "in.opus");
    }

    private static Audio decodeWebm(byte[] data, String name, double offset, double duration, DecodeLimits limits,
            ExternalDecoder external) throws AudioFormatException {
        MatroskaDemuxer m = MatroskaDemuxer.read(data, name);
        switch (m.codecId()) {
            case "A_OPUS": {
                OpusPackets packets = m.packets(OpusHead.RATE);
                if (m.privateOffset() < 0) {
                    throw m.corrupt("its Opus track has no CodecPrivate (the OpusHead header)");
                }
                OpusHead head = OpusHead.parse(packets, m.data(), m.privateOffset(), m.privateLength(), name);
                return decodeOpus(packets, head, name, offset, duration, limits, "in.webm");
            }
            case "A_VORBIS":
                return VorbisDecoding.webm(data, m, name, offset, duration, limits, external);
            default:
                throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": a Matroska/WebM file whose"
                        + " first audio track is " + m.codecId() + " is not supported, only A_OPUS and A_VORBIS;"
                        + " convert with: ffmpeg -i in.mka -map 0:a:0 -ac 1 -ar 16000 out.wav");
        }
    }

    private static Audio decodeOpus(OpusPackets packets, OpusHead head, String name, double offset, double duration,
            DecodeLimits limits, String example) throws AudioFormatException {
        long samples = OpusPacketDecoder.scan(packets, head, name);
        int rate = OpusHead.RATE;
        if (offset == 0 && duration < 0 && samples > limits.maxSamples(rate)) {
            throw tooLong(name, samples / (double) rate, limits);
        }
        long[] range = segment(samples, rate, offset, duration, name);
        if (range[1] > limits.maxSamples(rate)) {
            throw tooLong(name, range[1] / (double) rate, limits);
        }
        try {
            return OpusPacketDecoder.decode(packets, head, name, range[0], range[1], limits.deadline());
        } catch (LinkageError e) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": Opus decoding is not available:"
                    + " Concentus (io.github.jaredmdobson:concentus) is not on the classpath (" + e + "); use the"
                    + " OmniSpark application jar, add io.github.jaredmdobson:concentus:1.0.2, or convert with:"
                    + " ffmpeg -i " + example + " -ar 16000 -ac 1 out.wav", e);
        }
    }

    static AudioFormatException tooLong(String name, double seconds, DecodeLimits limits) {
        return new AudioFormatException(RejectReason.TOO_LONG, String.format("%s: %.3f s > %.3f s"
                + " (filters.max_duration_s); cut it into segments", name, seconds, limits.maxSeconds()));
    }

    /** Returns {start, count} in samples, clipped to [0, total). */
    static long[] segment(long total, int rate, double offset, double duration, String name)
            throws AudioFormatException {
        long start = Math.round(offset * rate);
        if (start >= total && offset > 0) {
            throw new AudioFormatException(RejectReason.SEGMENT_OUT_OF_RANGE, String.format(
                    "%s: segment starts at %.3f s but the recording is only %.3f s long; fix the segment list",
                    name, offset, total / (double) rate));
        }
        long count = duration < 0 ? total - start : Math.min(Math.round(duration * rate), total - start);
        return new long[] {start, Math.max(0, count)};
    }

    private enum Container { WAV, FLAC, MP3, OGG, WEBM }

    private static Container detect(byte[] d, String name) throws AudioFormatException {
        String magic = WavHeader.fourcc(d, 0);
        switch (magic) {
            case "RIFF":
                return Container.WAV;
            case "fLaC":
                return Container.FLAC;
            case "RIFX":
                throw unsupported(name, "big-endian WAV (RIFX)");
            case "RF64":
                throw unsupported(name, "RF64 (WAV over 4 GB)");
            case "OggS":
                return Container.OGG; // the first packet's signature picks the codec
            case "FORM":
                throw unsupported(name, "AIFF");
            case ".snd":
                throw unsupported(name, "Sun/NeXT AU");
            case "NIST":
                throw unsupported(name, "NIST SPHERE (convert with: sph2pipe -f wav in.sph out.wav)");
            default:
                break;
        }
        if (Id3.present(d)) {
            int size = Id3.skip(d);
            if ((long) size + 4 <= d.length && WavHeader.fourcc(d, size).equals("fLaC")) {
                return Container.FLAC;
            }
            if (size > d.length) {
                throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": its ID3v2 tag says " + size
                        + " bytes, the file has only " + d.length + "; the file was cut short, re-copy it");
            }
            int p = size;
            while (p < d.length && d[p] == 0) {
                p++; // some taggers pad past the tag's declared size
            }
            if (p + 2 <= d.length && (d[p] & 0xFF) == 0xFF && (d[p + 1] & 0xE0) == 0xE0) {
                return Container.MP3;
            }
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": an ID3v2 tag of " + size
                    + " bytes followed by neither a FLAC nor an MP3 stream; check the file, or " + SOX);
        }
        if (d.length >= 2 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xE0) == 0xE0) {
            return Container.MP3; // Mp3Stream decides: two chained valid layer III frames, or a reject saying why
        }
        if (MatroskaDemuxer.isEbml(d)) {
            return Container.WEBM; // the audio track's CodecID picks the codec
        }
        if (d.length >= 8 && WavHeader.fourcc(d, 4).equals("ftyp")) {
            throw unsupported(name, "MP4/M4A");
        }
        String start = new String(d, 0, Math.min(d.length, 8), StandardCharsets.ISO_8859_1)
                .replaceAll("[^\\x20-\\x7E]", "?");
        throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": not a WAV, FLAC, MP3, Opus or Vorbis file"
                + " (starts with '"
                + start + "', " + d.length + " bytes); check the path, or " + SOX);
    }

    private static AudioFormatException unsupported(String name, String what) {
        String fix = what.contains("convert with") ? "" : "; " + SOX;
        return new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO,
                name + ": " + what + " is not supported, only WAV, FLAC, MP3, Opus and Vorbis (Ogg, WebM)" + fix);
    }
}
