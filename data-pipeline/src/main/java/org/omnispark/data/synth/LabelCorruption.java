package org.omnispark.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Ways a pseudo-label is made wrong on purpose (a bad recognizer output). Corrupted labels also get a low
 * confidence in the manifest; the audio stays intact.
 */
public enum LabelCorruption {
    /** The label is the spoken text. */
    NONE,
    /** About 30% of the words (at least one) are replaced by other vocabulary words. */
    SUBSTITUTE,
    /** About 30% of the words (at least one, never all) are deleted. */
    DELETE,
    /** The label is replaced by junk: symbol soup or one nonsense token repeated. */
    JUNK;

    /** The corruption kinds other than {@link #NONE}, in the order corrupted rows cycle through them. */
    public static final List<LabelCorruption> KINDS = List.of(SUBSTITUTE, DELETE, JUNK);

    private static final String JUNK_CHARS = "qxzjkvw#@%&*!~^_";

    /** Lower-case id used in truth.jsonl. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The label text for {@code spoken}; always differs from {@code spoken.text()} unless this is {@link #NONE}.
     *
     * @param spoken the sentence actually spoken
     * @param vocabulary words to substitute from
     * @param rng the row's random generator
     */
    public String apply(Sentence spoken, List<String> vocabulary, RandomGenerator rng) {
        List<String> words = new ArrayList<>(spoken.words());
        int n = words.size();
        int changes = Math.max(1, (int) Math.round(0.3 * n));
        switch (this) {
            case NONE -> {
                return spoken.text();
            }
            case SUBSTITUTE -> {
                for (int pos : distinctPositions(n, changes, rng)) {
                    String w;
                    do {
                        w = vocabulary.get(rng.nextInt(vocabulary.size()));
                    } while (w.equals(words.get(pos)));
                    words.set(pos, w);
                }
                return String.join(" ", words);
            }
            case DELETE -> {
                List<Integer> positions = distinctPositions(n, Math.min(changes, n - 1), rng);
                positions.sort(null);
                for (int i = positions.size() - 1; i >= 0; i--) {
                    words.remove((int) positions.get(i));
                }
                return String.join(" ", words);
            }
            case JUNK -> {
                return junk(rng);
            }
            default -> throw new IllegalStateException("unhandled " + this);
        }
    }

    private static String junk(RandomGenerator rng) {
        List<String> tokens = new ArrayList<>();
        if (rng.nextBoolean()) {
            int count = 3 + rng.nextInt(6);
            for (int t = 0; t < count; t++) {
                StringBuilder sb = new StringBuilder();
                int len = 2 + rng.nextInt(6);
                for (int c = 0; c < len; c++) {
                    sb.append(JUNK_CHARS.charAt(rng.nextInt(JUNK_CHARS.length())));
                }
                tokens.add(sb.toString());
            }
        } else {
            String token = List.of("uh", "mm", "zzz", "blah", "xx").get(rng.nextInt(5));
            int count = 6 + rng.nextInt(10);
            for (int t = 0; t < count; t++) {
                tokens.add(token);
            }
        }
        return String.join(" ", tokens);
    }

    /** {@code k} distinct positions in 0..n-1, in draw order. */
    private static List<Integer> distinctPositions(int n, int k, RandomGenerator rng) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            Integer tmp = all.get(i);
            all.set(i, all.get(j));
            all.set(j, tmp);
        }
        return new ArrayList<>(all.subList(0, k));
    }
}
