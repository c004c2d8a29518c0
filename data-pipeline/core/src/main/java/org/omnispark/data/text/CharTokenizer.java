package org.omnispark.data.text;

import java.io.IOException;
import java.io.ObjectStreamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A character vocabulary: one unit per Unicode code point, with "▁" (U+2581) for the space between words.
 * Units are {@value #BLANK}, {@value #UNK}, the characters sorted by code point, {@value #SOS_EOS}.
 * Any whitespace character encodes as "▁" and decodes as a plain space.
 */
public final class CharTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    private static final int SPACE_CP = SPACE.codePointAt(0);

    private final List<String> units;
    private final transient Map<Integer, Integer> ids;

    private CharTokenizer(List<String> units) {
        this.units = List.copyOf(units);
        Map<Integer, Integer> map = new HashMap<>();
        int n = this.units.size();
        if (n < 3 || !BLANK.equals(this.units.get(0)) || !UNK.equals(this.units.get(1))
                || !SOS_EOS.equals(this.units.get(n - 1))) {
            throw new IllegalArgumentException("Character units must be [" + BLANK + ", " + UNK + ", chars..., "
                    + SOS_EOS + "], got " + (n <= 6 ? this.units : this.units.subList(0, 3) + "... (" + n + ")"));
        }
        for (int i = 2; i < n - 1; i++) {
            String u = Objects.requireNonNull(this.units.get(i), "unit " + i);
            if (u.codePointCount(0, u.length()) != 1) {
                throw new IllegalArgumentException("Unit " + i + " ('" + u + "') is not a single character; "
                        + "use a SentencePiece tokenizer for multi-character units");
            }
            if (map.put(u.codePointAt(0), i) != null) {
                throw new IllegalArgumentException("Unit '" + u + "' appears twice (ids " + map.get(u.codePointAt(0))
                        + " and " + i + ")");
            }
        }
        this.ids = map;
    }

    /**
     * Builds the vocabulary of the characters that occur at least {@code minCount} times in the texts
     * (whitespace counted as "▁"); the order is deterministic (by code point), whatever the order of the texts.
     */
    public static CharTokenizer build(Iterable<String> normalizedTexts, int minCount) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
        }
        TreeMap<Integer, Long> counts = new TreeMap<>();
        for (String text : normalizedTexts) {
            text.codePoints().forEach(cp -> counts.merge(toUnitCodePoint(cp), 1L, Long::sum));
        }
        List<String> units = new ArrayList<>();
        units.add(BLANK);
        units.add(UNK);
        counts.forEach((cp, c) -> {
            if (c >= minCount) {
                units.add(Character.toString(cp));
            }
        });
        units.add(SOS_EOS);
        return new CharTokenizer(units);
    }

    /** Re-creates a tokenizer from its units (e.g. read from units.txt with {@link Tokenizers#readUnits}). */
    public static CharTokenizer fromUnits(List<String> units) {
        return new CharTokenizer(units);
    }

    @Override
    public int[] encode(String normalizedText) {
        return normalizedText.codePoints().map(cp -> ids.getOrDefault(toUnitCodePoint(cp), 1)).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return Tokenizers.joinUnits(ids, units, sosEosId());
    }

    @Override
    public int countUnknown(String normalizedText) {
        return (int) normalizedText.codePoints()
                .filter(cp -> toUnitCodePoint(cp) != SPACE_CP && !ids.containsKey(toUnitCodePoint(cp))).count();
    }

    @Override
    public List<String> units() {
        return units;
    }

    @Override
    public String type() {
        return "char";
    }

    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Tokenizers.writeUnits(dir.resolve(UNITS_FILE), units);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer other && units.equals(other.units);
    }

    @Override
    public int hashCode() {
        return units.hashCode();
    }

    @Override
    public String toString() {
        return "CharTokenizer[" + units.size() + " units]";
    }

    private static int toUnitCodePoint(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) ? SPACE_CP : cp;
    }

    private Object readResolve() throws ObjectStreamException {
        return new CharTokenizer(units);
    }
}
