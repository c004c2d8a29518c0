package org.omnispark.data.audio;

import org.omnispark.data.RejectReason;

/**
 * Vorbis, in Ogg or in Matroska/WebM: no Java Vorbis decoder is served by the Maven mirror OmniSpark builds from
 * (docs/dependencies.md), so the samples come from ffmpeg through {@link ExternalDecoder}. The container is still
 * read here first ({@link OggStream}: CRC, page order, one stream; {@link MatroskaDemuxer}), so damaged containers are
 * rejected without starting a process, and the rate and channel count come from the stream's identification header
 * (the first Vorbis header: "\1vorbis", version 0, channels, rate), which also bounds what is read back: at most
 * limits.maxSeconds() of audio (plus a segment's offset) at that rate.
 */
final class VorbisDecoding {
    private VorbisDecoding() {
    }

    /** Decodes an Ogg Vorbis file ({@code s} is its stream, packet 0 its identification header). */
    static Audio ogg(byte[] data, OggStream s, String name, double offset, double duration, DecodeLimits limits,
            ExternalDecoder external) throws AudioFormatException {
        int[] rc = identification(s.payload(), s.offset(0), s.length(0), name, "Ogg Vorbis");
        return decode(data, name, "Ogg Vorbis", rc[0], rc[1], offset, duration, limits, external);
    }

    /** Decodes a Matroska/WebM file whose audio track is A_VORBIS (CodecPrivate: the three Xiph-laced headers). */
    static Audio webm(byte[] data, MatroskaDemuxer m, String name, double offset, double duration,
            DecodeLimits limits, ExternalDecoder external) throws AudioFormatException {
        byte[] d = m.data();
        int p = m.privateOffset();
        int end = p + m.privateLength();
        if (p < 0 || end - p < 3 || d[p] != 2) {
            throw m.corrupt("its Vorbis track's CodecPrivate does not hold the three Vorbis headers");
        }
        p++;
        long first = 0;
        while (p < end && (d[p] & 0xFF) == 255) {
            first += 255;
            p++;
        }
        if (p >= end) {
            throw m.corrupt("its Vorbis track's CodecPrivate ends inside its lace sizes");
        }
        first += d[p++] & 0xFF;
        while (p < end && (d[p] & 0xFF) == 255) {
            p++; // the comment header's size, not needed
        }
        p++;
        if (p > end || first > end - p) {
            throw m.corrupt("its Vorbis track's CodecPrivate is shorter than its lace sizes say");
        }
        int[] rc = identification(d, p, (int) first, name, "WebM Vorbis");
        return decode(data, name, "WebM Vorbis", rc[0], rc[1], offset, duration, limits, external);
    }

    /** {rate, channels} from a Vorbis identification header in d[p, p + length). */
    private static int[] identification(byte[] d, int p, int length, String name, String what)
            throws AudioFormatException {
        String sig = "\u0001vorbis";
        boolean ok = length >= 30;
        for (int i = 0; ok && i < sig.length(); i++) {
            ok = d[p + i] == (byte) sig.charAt(i);
        }
        long version = ok ? OggStream.le(d, p + 7, 4) : -1;
        int channels = ok ? d[p + 11] & 0xFF : 0;
        long rate = ok ? OggStream.le(d, p + 12, 4) : 0;
        if (!ok || version != 0 || channels == 0 || rate < 1000 || rate > 768000) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": damaged " + what + " file: its"
                    + " identification header is not valid (version " + version + ", " + channels + " channels, "
                    + rate + " Hz); re-copy or re-encode it");
        }
        return new int[] {(int) rate, channels};
    }

    private static Audio decode(byte[] data, String name, String what, int rate, int channels, double offset,
            double duration, DecodeLimits limits, ExternalDecoder external) throws AudioFormatException {
        long start = Math.round(offset * rate);
        long max = limits.maxSamples(rate);
        if (duration >= 0 && Math.round(duration * rate) > max) {
            throw AudioDecoder.tooLong(name, duration, limits);
        }
        // decode no further than the segment (or limits.maxSeconds() after its start) reaches
        long reach = Math.min(Integer.MAX_VALUE - 17L, start + (duration >= 0 ? Math.round(duration * rate) : max));
        Audio all = external.decode(data, name, what, rate, channels, reach, limits.deadline());
        int got = all.samples().length;
        if (duration < 0 && got > reach) {
            throw new AudioFormatException(RejectReason.TOO_LONG, String.format("%s: longer than %.3f s"
                    + " (filters.max_duration_s; ffmpeg was stopped there); cut it into segments", name,
                    limits.maxSeconds()));
        }
        long[] range = AudioDecoder.segment(Math.min(got, reach), rate, offset, duration, name);
        if (range[0] == 0 && range[1] == got) {
            return all;
        }
        float[] samples = new float[(int) range[1]];
        System.arraycopy(all.samples(), (int) range[0], samples, 0, samples.length);
        return new Audio(samples, rate);
    }
}
