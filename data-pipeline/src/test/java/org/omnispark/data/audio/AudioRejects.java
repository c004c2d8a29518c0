package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.omnispark.data.RejectReason;

/** The check every reject test makes: the bytes are refused with the expected reason, in a message naming the file. */
final class AudioRejects {

    private AudioRejects() {}

    /**
     * Decodes {@code data} as the file {@code what} and expects a reject.
     *
     * @param want the reason the reject must carry
     * @return the exception, for further checks
     */
    static AudioFormatException reject(byte[] data, RejectReason want, String what) {
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioDecoder.decode(data, what),
                what + " must be rejected");
        assertEquals(want, e.reason(), what + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith(what + ": "), "the message names the file: " + e.getMessage());
        return e;
    }

    /** As {@link #reject(byte[], RejectReason, String)}, the message also containing {@code says}. */
    static AudioFormatException reject(byte[] data, RejectReason want, String what, String says) {
        AudioFormatException e = reject(data, want, what);
        assertTrue(e.getMessage().contains(says), what + ": " + e.getMessage());
        return e;
    }
}
