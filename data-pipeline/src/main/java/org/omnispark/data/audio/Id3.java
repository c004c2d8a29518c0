package org.omnispark.data.audio;

/**
 * The ID3v2 tag taggers put before an MP3 (and some before a FLAC) stream: a 10-byte header, a syncsafe size, an
 * optional footer.
 */
final class Id3 {
    private Id3() {
    }

    /** Whether the data starts with an ID3v2 header. */
    static boolean present(byte[] d) {
        return d.length >= 10 && d[0] == 'I' && d[1] == 'D' && d[2] == '3';
    }

    /** The offset of the first byte after the tag (0 without one); may lie beyond the data. */
    static int skip(byte[] d) {
        if (!present(d)) {
            return 0;
        }
        return 10 + ((d[6] & 0x7F) << 21 | (d[7] & 0x7F) << 14 | (d[8] & 0x7F) << 7 | (d[9] & 0x7F))
                + ((d[5] & 0x10) != 0 ? 10 : 0);
    }
}
