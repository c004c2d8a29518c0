package org.omnispark.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {

    @Test
    void sentencePieceSaveLoadRoundTrip(@TempDir Path dir) throws IOException {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TextResources.path("unigram.model"));
        tok.save(dir);
        assertArrayEquals(Files.readAllBytes(TextResources.path("unigram.model")),
                Files.readAllBytes(dir.resolve(SentencePieceTokenizer.MODEL_FILE)), "model copied byte for byte");
        List<String> lines = Files.readAllLines(dir.resolve("units.txt"), StandardCharsets.UTF_8);
        assertEquals("<blank> 0", lines.get(0));
        assertEquals("<unk> 1", lines.get(1));
        assertEquals("<sos/eos> 149", lines.get(149));
        Tokenizer loaded = Tokenizers.load(dir);
        assertEquals("sentencepiece", loaded.type());
        assertEquals(tok, loaded);
        assertArrayEquals(tok.encode("the people of the world"), loaded.encode("the people of the world"));
    }

    @Test
    void mismatchedUnitsAreRefused(@TempDir Path dir) throws IOException {
        SentencePieceTokenizer.load(TextResources.path("bpe.model")).save(dir);
        CharTokenizer.build(List.of("abc"), 1).save(dir); // overwrites units.txt only
        IOException e = assertThrows(IOException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void emptyFolderSaysWhatIsMissing(@TempDir Path dir) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("units.txt"), e.getMessage());
    }

    @Test
    void unitsFileMayBeInAnyLineOrderButIdsMustBeContiguous(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("units.txt");
        Files.writeString(f, "b 3\n<blank> 0\n<sos/eos> 4\n<unk> 1\na 2\n");
        assertEquals(List.of("<blank>", "<unk>", "a", "b", "<sos/eos>"), Tokenizers.readUnits(f));
        Files.writeString(f, "<blank> 0\n<unk> 1\na 3\n");
        assertThrows(IOException.class, () -> Tokenizers.readUnits(f));
        Files.writeString(f, "<blank> 0\n<unk> 0\n");
        assertThrows(IOException.class, () -> Tokenizers.readUnits(f));
    }

    @Test
    void sentencePieceTokenizerSerializesAsItsModel() throws Exception {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(TextResources.path("bpe.model"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(tok);
        }
        assertTrue(bytes.size() < 4 * 1024, "serialized form is about the 2 KB model, was " + bytes.size());
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            SentencePieceTokenizer copy = (SentencePieceTokenizer) in.readObject();
            assertEquals(tok.units(), copy.units());
            assertArrayEquals(tok.encode("hello world"), copy.encode("hello world"));
        }
    }

    @Test
    void garbageModelFilesGiveAClearError(@TempDir Path dir) throws IOException {
        Path bogus = dir.resolve("x.model");
        Files.writeString(bogus, "<unk>\t0\n<s>\t0\n"); // a .vocab file, not a .model
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentencePieceTokenizer.load(bogus));
        assertTrue(e.getMessage().contains(".model"), e.getMessage());
    }
}
