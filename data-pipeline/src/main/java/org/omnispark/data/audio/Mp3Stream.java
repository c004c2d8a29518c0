package org.omnispark.data.audio;

import org.omnispark.data.RejectReason;

/**
 * The frame layout of an MP3 file, found by walking its frame headers before anything is decoded: an optional ID3v2
 * tag, an optional tag frame (Xing/Info with LAME's encoder delay and padding, or VBRI), a chain of layer III frames
 * that each begin where the previous one ends and agree on version, rate and channels, then nothing or a trailing tag
 * (ID3v1, APEv2, Lyrics3, zero bytes). Anything else is a reject: a frame cut by the end of the file is
 * TRUNCATED_AUDIO, lost sync CORRUPT_AUDIO, MPEG layer I/II and AAC UNSUPPORTED_AUDIO. The walk reads 4 bytes per
 * frame, so its cost is bounded by the file's size; the sample count it gives comes from real frames, never from a
 * header field.
 *
 * @param header the first audio frame's header
 * @param first offset of the first audio frame (after the tag frame, if any)
 * @param end offset just after the last frame
 * @param frames audio frames (the tag frame is not one)
 * @param skip samples to drop at the start (encoder delay + the decoder's 529; 0 without LAME's tag)
 * @param samples samples per channel after gapless trimming: what ffmpeg outputs for the same file
 */
record Mp3Stream(Mp3Header header, int first, int end, int frames, int skip, long samples) {
    /** The delay of the standard hybrid filterbank, which LAME's encoder delay does not include (as ffmpeg, mpg123). */
    static final int DECODER_DELAY = 529;
    private static final String REENCODE = "; re-encode it with: ffmpeg -i in.mp3 -ar 16000 -ac 1 out.wav";

    /** Walks the file; {@code data} starts with an MPEG frame sync, possibly behind an ID3v2 tag and zero bytes. */
    static Mp3Stream scan(byte[] data, String name) throws AudioFormatException {
        int p = start(data, name);
        Mp3Header h = Mp3Header.parse(data, p);
        if (h == null) {
            if (Mp3Header.isAdts(data, p)) {
                throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": AAC (ADTS) is not"
                        + " supported, only WAV, FLAC, MP3, Opus and Vorbis; convert with: ffmpeg -i in.aac -ar 16000"
                        + " -ac 1 out.wav");
            }
            throw corrupt(name, "bytes at " + p + " are not a valid MPEG audio frame header (reserved or"
                    + " free-format fields)");
        }
        if (h.layer() != 3) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": " + h.describe() + " (MP"
                    + h.layer() + ") is not supported, only layer III (MP3); convert with: ffmpeg -i in.mp"
                    + h.layer() + " -ar 16000 -ac 1 out.wav");
        }
        int frames = 0;
        int q = p;
        while (true) {
            Mp3Header f = Mp3Header.parse(data, q);
            if (!h.sameStream(f)) {
                break;
            }
            if ((long) q + f.frameBytes() > data.length) {
                throw truncated(name, "its frame at byte " + q + " needs " + f.frameBytes() + " bytes, the file ends"
                        + " after " + (data.length - q));
            }
            frames++;
            q += f.frameBytes();
        }
        if (q < data.length && !isTrailer(data, q)) {
            if (data.length - q < 4 && (data[q] & 0xFF) == 0xFF) {
                throw truncated(name, "it ends inside the frame header at byte " + q);
            }
            Mp3Header other = Mp3Header.parse(data, q);
            throw corrupt(name, "frame sync lost at byte " + q + " after " + frames + " frames of " + h.describe()
                    + (other == null ? "" : " (a frame of " + other.describe() + " follows)"));
        }
        if (frames < 2) {
            throw corrupt(name, "a single MPEG frame header at byte " + p + " and no second frame after it is not"
                    + " an MP3 stream");
        }
        return withTagFrame(data, name, h, p, q, frames);
    }

    /** Offset of the first frame: after an ID3v2 tag and the zero bytes some taggers pad it with. */
    private static int start(byte[] data, String name) throws AudioFormatException {
        int p = Id3.skip(data);
        if (p > data.length) {
            throw truncated(name, "its ID3v2 tag says " + p + " bytes, the file has " + data.length);
        }
        while (p < data.length && data[p] == 0) {
            p++;
        }
        return p;
    }

    /** Reads the tag frame at {@code p}, if the first frame is one, and what it says about gapless decoding. */
    private static Mp3Stream withTagFrame(byte[] d, String name, Mp3Header h, int p, int end, int frames)
            throws AudioFormatException {
        int spf = h.samplesPerFrame();
        Mp3TagFrame tag = Mp3TagFrame.read(d, p, h);
        if (tag == null) {
            return new Mp3Stream(h, p, end, frames, 0, (long) frames * spf);
        }
        int audioFrames = frames - 1;
        if (tag.declaredFrames() > audioFrames) {
            throw truncated(name, "its tag frame declares " + tag.declaredFrames() + " frames, the file holds "
                    + audioFrames);
        }
        long samples = tag.samples(audioFrames, spf);
        // a damaged tag (delay + padding beyond the audio) gets no gapless trimming
        int skip = samples == (long) audioFrames * spf ? 0 : tag.skip();
        int first = p + h.frameBytes();
        return new Mp3Stream(Mp3Header.parse(d, first), first, end, audioFrames, skip, samples);
    }

    /** Offset of audio frame {@code k} (0 = {@link #first()}), by walking the headers again. */
    int offsetOf(byte[] data, int k) {
        int q = first;
        for (int i = 0; i < k; i++) {
            q += Mp3Header.parse(data, q).frameBytes();
        }
        return q;
    }

    /** What may follow the last frame: ID3v1 ("TAG"), APEv2, Lyrics3, a trailing ID3v2 tag, or zero bytes. */
    private static boolean isTrailer(byte[] d, int p) {
        if (startsWith(d, p, "TAG") || startsWith(d, p, "APETAGEX") || startsWith(d, p, "LYRICSBEGIN")
                || startsWith(d, p, "ID3")) {
            return true;
        }
        for (int i = p; i < d.length; i++) {
            if (d[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] d, int p, String s) {
        if (p + s.length() > d.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (d[p + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static AudioFormatException corrupt(String name, String what) {
        return new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": damaged MP3: " + what + REENCODE
                + " if ffmpeg can still read it, or re-download it");
    }

    private static AudioFormatException truncated(String name, String what) {
        return new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": MP3 is cut short: " + what
                + "; re-copy or re-download it");
    }
}
