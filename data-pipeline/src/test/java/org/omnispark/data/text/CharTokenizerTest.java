package org.omnispark.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerTest {

    @Test
    void unitsAreSortedByCodePointBetweenSpecials() {
        CharTokenizer tok = CharTokenizer.build(List.of("ab ba", "c"), 1);
        // a=U+0061 < b < c < ▁=U+2581
        assertEquals(List.of("<blank>", "<unk>", "a", "b", "c", "▁", "<sos/eos>"), tok.units());
        assertEquals(7, tok.vocabSize());
        assertEquals(0, tok.blankId());
        assertEquals(1, tok.unkId());
        assertEquals(6, tok.sosEosId());
        assertEquals("char", tok.type());
        assertArrayEquals(new int[] {2, 3, 5, 4}, tok.encode("ab c"));
        assertEquals("ab c", tok.decode(new int[] {2, 3, 5, 4}));
    }

    @Test
    void minCountDropsRareCharactersToUnk() {
        // counts: a 2, b 2, ▁ 1, c 1 -> with minCount 2 only a and b stay.
        CharTokenizer tok = CharTokenizer.build(List.of("ab ba", "c"), 2);
        assertEquals(List.of("<blank>", "<unk>", "a", "b", "<sos/eos>"), tok.units());
        assertArrayEquals(new int[] {2, 3, 1, 1}, tok.encode("ab c"));
        assertEquals(1, tok.countUnknown("ab c"), "c is unknown; the space is not counted");
        assertEquals("ab<unk><unk>", tok.decode(tok.encode("ab c")));
    }

    @Test
    void decodeSkipsBlankAndSosEos() {
        CharTokenizer tok = CharTokenizer.build(List.of("hi there"), 1);
        int[] ids = tok.encode("hi there");
        int[] framed = new int[ids.length + 3];
        framed[0] = tok.sosEosId();
        framed[1] = tok.blankId();
        System.arraycopy(ids, 0, framed, 2, ids.length);
        framed[framed.length - 1] = tok.sosEosId();
        assertEquals("hi there", tok.decode(framed));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {tok.vocabSize()}));
    }

    @Test
    void roundTripAndDeterminismOnACorpus() {
        List<String> corpus = new ArrayList<>(TextResources.lines("spm_corpus.txt"));
        corpus.add("ünïcödé 𝄞 and 中文");
        CharTokenizer tok = CharTokenizer.build(corpus, 1);
        for (String line : corpus) {
            assertEquals(line, tok.decode(tok.encode(line)));
            assertEquals(0, tok.countUnknown(line), line);
        }
        assertTrue(tok.units().contains("𝄞"), "a supplementary-plane character is one unit");
        List<String> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(3));
        assertEquals(tok, CharTokenizer.build(shuffled, 1), "order of the texts must not matter");
    }

    @Test
    void fromUnitsValidates() {
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromUnits(List.of("<unk>", "a", "<sos/eos>")));
        assertThrows(IllegalArgumentException.class,
                () -> CharTokenizer.fromUnits(List.of("<blank>", "<unk>", "ab", "<sos/eos>")));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> CharTokenizer.fromUnits(List.of("<blank>", "<unk>", "a", "a", "<sos/eos>")));
        assertTrue(dup.getMessage().contains("twice"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.build(List.of("a"), 0));
    }

    @Test
    void saveWritesWenetUnitsAndLoadsBack(@TempDir Path dir) throws Exception {
        CharTokenizer tok = CharTokenizer.build(List.of("ab c"), 1);
        tok.save(dir);
        assertEquals(List.of("<blank> 0", "<unk> 1", "a 2", "b 3", "c 4", "▁ 5", "<sos/eos> 6"),
                Files.readAllLines(dir.resolve("units.txt"), StandardCharsets.UTF_8));
        Tokenizer loaded = Tokenizers.load(dir);
        assertEquals(tok, loaded);
        assertEquals("char", loaded.type());
    }

    @Test
    void javaSerializationRoundTrip() throws Exception {
        CharTokenizer tok = CharTokenizer.build(List.of("hello world"), 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(tok);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Tokenizer copy = (Tokenizer) in.readObject();
            assertArrayEquals(tok.encode("hello world"), copy.encode("hello world"));
        }
    }
}
