package org.omnispark.data.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Loading saved tokenizers, and reading/writing WeNet's units.txt. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * Loads a tokenizer saved by {@link Tokenizer#save(Path)}: a SentencePiece tokenizer when
     * {@value SentencePieceTokenizer#MODEL_FILE} is present (units.txt must then agree with the model), else a
     * character tokenizer from units.txt.
     */
    public static Tokenizer load(Path dir) throws IOException {
        Path model = dir.resolve(SentencePieceTokenizer.MODEL_FILE);
        Path units = dir.resolve(Tokenizer.UNITS_FILE);
        if (Files.exists(model)) {
            SentencePieceTokenizer spm = SentencePieceTokenizer.load(model);
            if (Files.exists(units)) {
                List<String> saved = readUnits(units);
                if (!saved.equals(spm.units())) {
                    throw new IOException(units + " does not match " + model + " (" + saved.size() + " vs "
                            + spm.units().size() + " units); save the tokenizer again so both files come from "
                            + "the same model");
                }
            }
            return spm;
        }
        if (!Files.exists(units)) {
            throw new NoSuchFileException(units.toString(), null, "no tokenizer in " + dir
                    + ": expected " + Tokenizer.UNITS_FILE + " (and " + SentencePieceTokenizer.MODEL_FILE
                    + " for SentencePiece); write one with Tokenizer.save(dir)");
        }
        return CharTokenizer.fromUnits(readUnits(units));
    }

    /** Writes units as WeNet's units.txt: "unit id" per line, in id order. */
    public static void writeUnits(Path file, List<String> units) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < units.size(); i++) {
            String u = units.get(i);
            if (u.isEmpty() || u.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("Unit " + i + " ('" + u + "') is empty or contains whitespace;"
                        + " units.txt cannot store it");
            }
            sb.append(u).append(' ').append(i).append('\n');
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    /** Reads WeNet's units.txt; ids must be 0..n-1, each exactly once (in any line order). */
    public static List<String> readUnits(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] byId = new String[lines.size()];
        int count = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int sep = line.lastIndexOf(' ');
            int id;
            try {
                id = sep <= 0 ? -1 : Integer.parseInt(line.substring(sep + 1));
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 0 || id >= byId.length || byId[id] != null) {
                throw new IOException(file + " line " + (i + 1) + ": expected 'unit id' with a new id in [0, "
                        + byId.length + "), got '" + line + "'");
            }
            byId[id] = line.substring(0, sep).strip();
            count++;
        }
        List<String> units = new ArrayList<>(Arrays.asList(byId).subList(0, count));
        if (units.contains(null)) {
            throw new IOException(file + ": ids are not contiguous from 0 (id " + units.indexOf(null) + " missing)");
        }
        return units;
    }

    /**
     * The text of a token sequence: the units of {@code ids} concatenated, blank (0) and sos/eos left out, with
     * {@link Tokenizer#SPACE} as a space (what both tokenizers' {@code decode} start from).
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    static String joinUnits(int[] ids, List<String> units, int sosEos) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= units.size()) {
                throw new IllegalArgumentException("Token id " + id + " is outside the vocabulary [0, "
                        + units.size() + ")");
            }
            if (id != 0 && id != sosEos) {
                sb.append(units.get(id));
            }
        }
        return sb.toString().replace(Tokenizer.SPACE, " ");
    }
}
