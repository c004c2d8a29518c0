package org.omnispark.data.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A small generative English grammar over a built-in vocabulary of a few hundred common words: statements,
 * questions, commands and counts with numbers spelled as words, 3 to 15 words long.
 *
 * <p>Generation is a pure function of the random generator's state, so a seeded generator gives the same
 * sentences on every machine. Each sentence text belongs to one {@link Split}, decided by a stable hash of the
 * text ({@link StableHash#unit(String)} below the held-out fraction means {@link Split#HELDOUT}); sentences drawn
 * for one split are therefore never drawn for the other.
 */
public final class SentenceGrammar {
    /** Minimum number of words of a generated sentence. */
    public static final int MIN_WORDS = 3;
    /** Maximum number of words of a generated sentence. */
    public static final int MAX_WORDS = 15;
    /** Default fraction of all possible sentences that belong to the held-out split. */
    public static final double DEFAULT_HELDOUT_FRACTION = 0.1;

    static final List<String> FUNCTION_WORDS = List.of(
        "the", "a", "in", "is", "and", "to", "with", "did", "where", "why", "how", "many", "can", "will", "please",
        "there", "are", "were", "on", "that", "said", "so", "before", "was", "at", "what", "who", "near", "under",
        "very", "not", "has", "have", "into", "from", "my", "our", "their", "your", "of", "all", "does", "it", "but",
        "because");

    private static final int NUM_TEMPLATES = 21;
    /** Templates 0..17 are single clauses; 18..20 join two statements. */
    private static final int NUM_CLAUSES = 18;
    private static final List<Integer> STATEMENTS = List.of(0, 1, 2, 5, 6, 7, 9, 11, 12, 15, 16);
    private static final List<String> CONJUNCTIONS = List.of("and", "but", "because");
    private static final int MAX_ATTEMPTS = 10_000;

    private final double heldoutFraction;

    private SentenceGrammar(double heldoutFraction) {
        if (!(heldoutFraction > 0.0 && heldoutFraction < 1.0)) {
            throw new IllegalArgumentException("heldoutFraction must be in (0, 1), got " + heldoutFraction);
        }
        this.heldoutFraction = heldoutFraction;
    }

    /** The English grammar with {@link #DEFAULT_HELDOUT_FRACTION} of sentences held out. */
    public static SentenceGrammar english() {
        return new SentenceGrammar(DEFAULT_HELDOUT_FRACTION);
    }

    /** The English grammar with the given held-out fraction in (0, 1). */
    public static SentenceGrammar english(double heldoutFraction) {
        return new SentenceGrammar(heldoutFraction);
    }

    /** The fraction of sentence texts that belong to {@link Split#HELDOUT}. */
    public double heldoutFraction() {
        return heldoutFraction;
    }

    /** The split a sentence text belongs to (by a stable hash of the text). */
    public Split splitOf(String text) {
        return StableHash.unit("sentence:" + text) < heldoutFraction ? Split.HELDOUT : Split.TRAIN;
    }

    /** Every word the grammar can produce, sorted. */
    public List<String> vocabulary() {
        return Vocabulary.allWords();
    }

    /** A sentence of {@link #MIN_WORDS}..{@link #MAX_WORDS} words from any split. */
    public Sentence generate(RandomGenerator rng) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<String> words = new ArrayList<>();
            boolean question = expand(rng.nextInt(NUM_TEMPLATES), rng, words);
            if (words.size() >= MIN_WORDS && words.size() <= MAX_WORDS) {
                return new Sentence(words, question);
            }
        }
        throw new IllegalStateException("grammar produced no sentence of " + MIN_WORDS + ".." + MAX_WORDS + " words");
    }

    /** A sentence that belongs to {@code split} (draws until the hash puts one there). */
    public Sentence generate(RandomGenerator rng, Split split) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Sentence s = generate(rng);
            if (splitOf(s.text()) == split) {
                return s;
            }
        }
        throw new IllegalStateException("no " + split.id() + " sentence in " + MAX_ATTEMPTS
            + " draws: raise the heldout fraction (now " + heldoutFraction + ")");
    }

    /** Appends the words of template {@code t}; returns whether it is a question. */
    private static boolean expand(int t, RandomGenerator r, List<String> w) {
        switch (t) {
            case 0 -> add(w, "the", adj(r), noun(r), past(r), "the", noun(r));
            case 1 -> add(w, name(r), past(r), "a", adj(r), noun(r), "in", "the", place(r));
            case 2 -> add(w, pronoun(r), intransitivePast(r), adverb(r));
            case 3 -> {
                add(w, "did", name(r), base(r), "the", adj(r), noun(r));
                return true;
            }
            case 4 -> {
                add(w, "where", "is", "the", adj(r), noun(r));
                return true;
            }
            case 5 -> add(w, count(r), adj(r), plural(r), "were", "in", "the", place(r), time(r));
            case 6 -> add(w, "the", noun(r), "is", "very", adj(r), "and", adj(r));
            case 7 -> add(w, time(r), name(r), past(r), count(r), plural(r));
            case 8 -> {
                add(w, "can", "you", base(r), "the", noun(r), "before", time(r));
                return true;
            }
            case 9 -> add(w, pronoun(r), "will", intransitiveBase(r), "in", "the", place(r), "with", name(r));
            case 10 -> {
                add(w, "why", "did", "the", adj(r), noun(r), intransitiveBase(r), "so", adverb(r));
                return true;
            }
            case 11 -> add(w, "there", "are", count(r), adj(r), plural(r), "on", "the", noun(r));
            case 12 -> add(w, name(r), "said", "that", "the", noun(r), past(r), "the", adj(r), noun(r));
            case 13 -> add(w, "please", base(r), "the", noun(r), "and", "the", noun(r));
            case 14 -> {
                add(w, "how", "many", plural(r), "did", name(r), base(r), time(r));
                return true;
            }
            case 15 -> add(w, "the", noun(r), "near", "the", place(r), intransitivePast(r), adverb(r), time(r));
            case 16 -> add(w, "my", noun(r), "has", count(r), plural(r), "and", "your", noun(r), "has", count(r));
            case 17 -> {
                add(w, "who", past(r), "the", adj(r), noun(r), "from", "the", place(r));
                return true;
            }
            case 18, 19, 20 -> {
                expand(STATEMENTS.get(r.nextInt(STATEMENTS.size())), r, w);
                w.add(CONJUNCTIONS.get(t - NUM_CLAUSES));
                expand(STATEMENTS.get(r.nextInt(STATEMENTS.size())), r, w);
            }
            default -> throw new IllegalArgumentException("no template " + t);
        }
        return false;
    }

    private static void add(List<String> words, String... parts) {
        for (String part : parts) {
            words.addAll(Arrays.asList(part.split(" ")));
        }
    }

    private static String pick(List<String> list, RandomGenerator r) {
        return list.get(r.nextInt(list.size()));
    }

    private static String noun(RandomGenerator r) {
        return pick(Vocabulary.NOUNS, r);
    }

    private static String plural(RandomGenerator r) {
        return Vocabulary.plural(noun(r));
    }

    private static String adj(RandomGenerator r) {
        return pick(Vocabulary.ADJECTIVES, r);
    }

    private static String past(RandomGenerator r) {
        return Vocabulary.past(pick(Vocabulary.VERBS, r));
    }

    private static String base(RandomGenerator r) {
        return Vocabulary.base(pick(Vocabulary.VERBS, r));
    }

    private static String intransitivePast(RandomGenerator r) {
        return Vocabulary.past(pick(Vocabulary.INTRANSITIVE_VERBS, r));
    }

    private static String intransitiveBase(RandomGenerator r) {
        return Vocabulary.base(pick(Vocabulary.INTRANSITIVE_VERBS, r));
    }

    private static String adverb(RandomGenerator r) {
        return pick(Vocabulary.ADVERBS, r);
    }

    private static String place(RandomGenerator r) {
        return pick(Vocabulary.PLACES, r);
    }

    private static String name(RandomGenerator r) {
        return pick(Vocabulary.NAMES, r);
    }

    private static String pronoun(RandomGenerator r) {
        return pick(Vocabulary.PRONOUNS, r);
    }

    /** A time word or phrase ("today", "next week"). */
    private static String time(RandomGenerator r) {
        return r.nextInt(3) == 0 ? pick(Vocabulary.TIMES, r) : pick(Vocabulary.TIME_PHRASES, r);
    }

    /** A count of at least two, spelled out: mostly 2..20, sometimes up to 999. */
    private static String count(RandomGenerator r) {
        int n = r.nextInt(4) == 0 ? 2 + r.nextInt(998) : 2 + r.nextInt(19);
        return NumberWords.toWords(n);
    }
}
