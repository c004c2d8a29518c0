package org.omnispark.data.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * SentencePiece's input normalization: the model's compiled character map (leftmost-longest rewriting through a
 * darts-clone double-array trie over UTF-8 bytes), then whitespace handling (drop leading, trailing and repeated
 * spaces, add the dummy prefix, replace spaces by "▁"). Matches spm_normalize / spm_encode byte for byte on the
 * golden sentences.
 *
 * <p>precompiled_charsmap layout: uint32 little-endian trie size in bytes, the trie (uint32 LE units), then the
 * replacement strings, each NUL-terminated; a trie value is the offset of its replacement string.
 */
final class SpmNormalizer {
    static final String SPACE_SYMBOL = "\u2581";
    private static final byte[] SPACE_SYMBOL_UTF8 = SPACE_SYMBOL.getBytes(StandardCharsets.UTF_8);
    private static final byte[] REPLACEMENT_UTF8 = "\uFFFD".getBytes(StandardCharsets.UTF_8);

    private final SentencePieceModel.NormalizerSpec spec;
    private final boolean treatWhitespaceAsSuffix;
    private final int[] trie; // empty: identity
    private final byte[] replacements;

    SpmNormalizer(SentencePieceModel.NormalizerSpec spec, boolean treatWhitespaceAsSuffix) {
        this.spec = spec;
        this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
        byte[] blob = spec.precompiledCharsmap();
        if (blob.length == 0) {
            trie = new int[0];
            replacements = new byte[0];
            return;
        }
        if (blob.length <= 4) {
            throw new IllegalArgumentException("precompiled_charsmap is too short (" + blob.length + " bytes)");
        }
        long trieBytes = readLe32(blob, 0) & 0xFFFFFFFFL;
        if (trieBytes >= blob.length - 4L || trieBytes % 4 != 0) {
            throw new IllegalArgumentException("precompiled_charsmap: trie size " + trieBytes
                    + " does not fit a blob of " + blob.length + " bytes; the model file is corrupt");
        }
        trie = new int[(int) trieBytes / 4];
        for (int i = 0; i < trie.length; i++) {
            trie[i] = readLe32(blob, 4 + 4 * i);
        }
        int start = 4 + (int) trieBytes;
        replacements = new byte[blob.length - start];
        System.arraycopy(blob, start, replacements, 0, replacements.length);
    }

    /** Normalizes one sentence the way spm_encode does before segmentation. */
    String normalize(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 8);
        int pos = 0;
        byte[][] prefix = new byte[1][];
        if (spec.removeExtraWhitespaces()) { // skip leading spaces (as they come out of the rewriting)
            while (pos < in.length) {
                int consumed = normalizePrefix(in, pos, prefix);
                if (!(prefix[0].length == 1 && prefix[0][0] == ' ')) {
                    break;
                }
                pos += consumed;
            }
        }
        if (pos >= in.length) {
            return "";
        }
        byte[] space = spec.escapeWhitespaces() ? SPACE_SYMBOL_UTF8 : new byte[] {' '};
        if (!treatWhitespaceAsSuffix && spec.addDummyPrefix()) {
            out.writeBytes(space);
        }
        boolean prevSpace = spec.removeExtraWhitespaces();
        while (pos < in.length) {
            int consumed = normalizePrefix(in, pos, prefix);
            byte[] piece = prefix[0];
            int from = 0;
            while (prevSpace && from < piece.length && piece[from] == ' ') {
                from++;
            }
            if (from < piece.length) {
                for (int i = from; i < piece.length; i++) {
                    if (spec.escapeWhitespaces() && piece[i] == ' ') {
                        out.writeBytes(SPACE_SYMBOL_UTF8);
                    } else {
                        out.write(piece[i]);
                    }
                }
                prevSpace = piece[piece.length - 1] == ' ';
            }
            pos += consumed;
            if (!spec.removeExtraWhitespaces()) {
                prevSpace = false;
            }
        }
        byte[] result = out.toByteArray();
        int len = result.length;
        if (spec.removeExtraWhitespaces()) {
            while (endsWith(result, len, space)) {
                len -= space.length;
            }
        }
        String normalized = new String(result, 0, len, StandardCharsets.UTF_8);
        if (treatWhitespaceAsSuffix && spec.addDummyPrefix()) {
            normalized += new String(space, StandardCharsets.UTF_8);
        }
        return normalized;
    }

    /** Rewrites the longest rule matching at {@code pos} (or copies one UTF-8 character); returns bytes consumed. */
    private int normalizePrefix(byte[] in, int pos, byte[][] out) {
        int longestLength = 0;
        int longestValue = 0;
        if (trie.length > 0) {
            // darts-clone commonPrefixSearch; a unit holds: label (bits 0-7, bit 31 = leaf), has_leaf (bit 8),
            // offset (bits 10-31, shifted left by 8 when bit 9 is set), value (bits 0-30 of a leaf unit).
            int node = 0;
            node ^= offset(trie[0]);
            for (int i = pos; i < in.length; i++) {
                int label = in[i] & 0xFF;
                node ^= label;
                if (node < 0 || node >= trie.length) {
                    break;
                }
                int unit = trie[node];
                if ((unit & (0x80000000 | 0xFF)) != label) {
                    break;
                }
                node ^= offset(unit);
                if (((unit >>> 8) & 1) == 1 && node >= 0 && node < trie.length) {
                    longestLength = i + 1 - pos;
                    longestValue = trie[node] & 0x7FFFFFFF;
                }
            }
        }
        if (longestLength > 0) {
            int end = longestValue;
            while (end < replacements.length && replacements[end] != 0) {
                end++;
            }
            byte[] rep = new byte[end - longestValue];
            System.arraycopy(replacements, longestValue, rep, 0, rep.length);
            out[0] = rep;
            return longestLength;
        }
        int charLen = utf8Length(in, pos);
        if (charLen == 0) { // malformed UTF-8: U+FFFD, consuming one byte (as SentencePiece does)
            out[0] = REPLACEMENT_UTF8;
            return 1;
        }
        out[0] = new byte[charLen];
        System.arraycopy(in, pos, out[0], 0, charLen);
        return charLen;
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }

    /** The length of a valid UTF-8 sequence at pos, or 0 when malformed. */
    private static int utf8Length(byte[] b, int pos) {
        int c = b[pos] & 0xFF;
        int len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
        if (len == 0 || pos + len > b.length) {
            return 0;
        }
        for (int i = 1; i < len; i++) {
            if ((b[pos + i] & 0xC0) != 0x80) {
                return 0;
            }
        }
        return len;
    }

    private static boolean endsWith(byte[] b, int len, byte[] suffix) {
        if (len < suffix.length) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (b[len - suffix.length + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int readLe32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
