package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** StableHash against golden values printed by the independent Python reference stable_hash_golden.py. */
class StableHashTest {
    @Test
    void matchesPythonReference() {
        // python3 stable_hash_golden.py: text, mix64(fnv1a64(utf8(text))) as signed long, (h >>> 11) / 2^53
        assertEquals(-780787492076525413L, StableHash.hash64(""), "hash of empty string");
        assertEquals(198367012849983736L, StableHash.hash64("a"), "hash of 'a'");
        assertEquals(7578894591037033888L, StableHash.hash64("sentence:the big dog"));
        assertEquals(1810095348003019161L, StableHash.hash64("voice:en-us+m3"));
        assertEquals(-2251447986271062641L, StableHash.hash64("caf\u00e9"), "UTF-8 bytes, not UTF-16 chars");
        assertEquals(0.9576734252420561, StableHash.unit(""), 0.0);
        assertEquals(0.010753497314070604, StableHash.unit("a"), 0.0);
        assertEquals(0.41085269903204946, StableHash.unit("sentence:the big dog"), 0.0);
        assertEquals(0.0981254654355389, StableHash.unit("voice:en-us+m3"), 0.0);
    }

    @Test
    void mixIsABijectionOnSmallInputsAndDeriveSeparatesStreams() {
        assertEquals(0L, StableHash.mix64(0L), "SplitMix64's finalizer maps 0 to 0");
        assertNotEquals(StableHash.derive(1, 1, 0), StableHash.derive(1, 2, 0), "streams differ");
        assertNotEquals(StableHash.derive(1, 1, 0), StableHash.derive(1, 1, 1), "indices differ");
        assertNotEquals(StableHash.derive(1, 1, 0), StableHash.derive(2, 1, 0), "seeds differ");
        assertEquals(StableHash.derive(5, 3, 9), StableHash.derive(5, 3, 9), "pure function");
    }
}
