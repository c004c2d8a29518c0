package org.omnispark.data.audio;

import org.omnispark.data.RejectReason;

/**
 * The audio packets of one Opus stream as a container holds them, ready for {@link OpusPacketDecoder}: packet
 * {@code i} is {@code payload[offset(i), offset(i) + length(i))}, in decoding order. The container decides the end
 * trimming: Ogg by the last page's granule position ({@link #granuleEnd()}), Matroska/WebM by a block's
 * DiscardPadding ({@link #endDiscard(int)}: samples at 48 kHz dropped from the end of that packet, as ffmpeg drops
 * them).
 *
 * @param container "Ogg" or "Matroska/WebM", for messages
 * @param payload the array the packets' bytes lie in
 * @param offsets where each packet starts in payload
 * @param lengths each packet's length
 * @param count the number of packets (the arrays may be longer)
 * @param endDiscard samples to drop from the end of each packet, or null for none
 * @param granuleEnd the decoded sample (pre-skip included) at which the stream ends, or -1 for "where the packets
 *     end"
 */
record OpusPackets(String container, byte[] payload, int[] offsets, int[] lengths, int count, int[] endDiscard,
        long granuleEnd) {
    /** The packets after the two header packets of an Ogg Opus stream. */
    static OpusPackets ofOgg(OggStream s) {
        int n = Math.max(0, s.packets() - 2);
        int[] offsets = new int[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = s.offset(i + 2);
            lengths[i] = s.length(i + 2);
        }
        return new OpusPackets("Ogg", s.payload(), offsets, lengths, n, null, s.lastGranule());
    }

    int offset(int i) {
        return offsets[i];
    }

    int length(int i) {
        return lengths[i];
    }

    int endDiscard(int i) {
        return endDiscard == null ? 0 : endDiscard[i];
    }

    /** A CORRUPT_AUDIO reject for damage in this container's Opus stream. */
    AudioFormatException corrupt(String name, String what) {
        return container.equals("Ogg") ? OggStream.corrupt(name, what) : new AudioFormatException(
                RejectReason.CORRUPT_AUDIO, name + ": damaged " + container + " file: " + what + "; re-copy or"
                        + " re-encode it (ffmpeg -i in.webm -ar 16000 -ac 1 out.wav)");
    }
}
