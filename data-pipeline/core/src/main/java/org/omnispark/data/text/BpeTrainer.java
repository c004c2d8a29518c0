package org.omnispark.data.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Trains a SentencePiece-compatible BPE model in Java and writes it as a ModelProto that {@code spm_encode} loads.
 *
 * <p>Words are split at whitespace and prefixed with "▁" (SentencePiece's dummy prefix and whitespace escaping);
 * every character of the corpus is kept (character coverage 1.0). Each step merges the most frequent adjacent
 * pair (ties: the lexicographically smallest merged string, then the shorter left part), updating pair counts
 * incrementally for the words that contain it. Pieces are written as {@code <unk>, <s>, </s>}, the merges in
 * order with score {@code -i}, then the characters (most frequent first) with lower scores, which is what
 * SentencePiece's BPE encoder expects (higher score = merged earlier). Identity normalization is recorded, since
 * input is normalized by {@link TextNormalizer} beforehand. Not implemented: splitting by Unicode script or digits.
 */
public final class BpeTrainer {
    private final int vocabSize;
    private final int maxPieceLength;

    private BpeTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.maxPieceLength = b.maxPieceLength;
    }

    /** A builder; {@link Builder#setVocabSize(int)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link BpeTrainer}s. */
    public static final class Builder {
        private int vocabSize = -1;
        private int maxPieceLength = 16;

        /** The SentencePiece vocabulary size including {@code <unk>, <s>, </s>} (an upper bound). */
        public Builder setVocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /** The longest piece in code points (SentencePiece's max_sentencepiece_length); default 16. */
        public Builder optMaxPieceLength(int maxPieceLength) {
            this.maxPieceLength = maxPieceLength;
            return this;
        }

        /** Validates and builds. */
        public BpeTrainer build() {
            if (vocabSize < 4) {
                throw new IllegalArgumentException("vocabSize must be set and >= 4 (3 special pieces + 1), got "
                        + vocabSize);
            }
            if (maxPieceLength < 2) {
                throw new IllegalArgumentException("maxPieceLength must be >= 2, got " + maxPieceLength);
            }
            return new BpeTrainer(this);
        }
    }

    private record Candidate(long key, long count, String merged, int leftLength) {
    }

    /**
     * Trains on normalized texts and returns the serialized ModelProto.
     *
     * @throws IllegalArgumentException when the corpus is empty or has more distinct characters than fit
     */
    public byte[] train(Iterable<String> normalizedTexts) {
        Map<String, Long> wordCounts = new HashMap<>();
        for (String text : normalizedTexts) {
            for (String w : text.split("[\\s\u2581]+")) {
                if (!w.isEmpty()) {
                    wordCounts.merge(Tokenizer.SPACE + w, 1L, Long::sum);
                }
            }
        }
        if (wordCounts.isEmpty()) {
            throw new IllegalArgumentException("Cannot train BPE on an empty corpus: no words in the texts");
        }
        List<String> symbols = new ArrayList<>();
        Map<String, Integer> symbolIds = new HashMap<>();
        Map<Integer, Long> charCounts = new HashMap<>();
        List<String> wordList = new ArrayList<>(wordCounts.keySet());
        wordList.sort(null); // deterministic word order
        int[][] seqs = new int[wordList.size()][];
        long[] freq = new long[wordList.size()];
        for (int w = 0; w < seqs.length; w++) {
            String word = wordList.get(w);
            freq[w] = wordCounts.get(word);
            seqs[w] = word.codePoints().map(cp -> {
                String s = Character.toString(cp);
                return symbolIds.computeIfAbsent(s, k -> {
                    symbols.add(k);
                    return symbols.size() - 1;
                });
            }).toArray();
            for (int id : seqs[w]) {
                charCounts.merge(id, freq[w], Long::sum);
            }
        }
        int numChars = symbols.size();
        int maxMerges = vocabSize - 3 - numChars;
        if (maxMerges < 0) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is too small: the corpus has " + numChars
                    + " distinct characters; use a vocabSize of at least " + (numChars + 3));
        }
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> pairWords = new HashMap<>();
        for (int w = 0; w < seqs.length; w++) {
            addPairs(seqs[w], freq[w], w, pairCounts, pairWords, null);
        }
        PriorityQueue<Candidate> heap = new PriorityQueue<>((a, b) -> a.count() != b.count()
                ? Long.compare(b.count(), a.count())
                : !a.merged().equals(b.merged()) ? a.merged().compareTo(b.merged())
                : Integer.compare(a.leftLength(), b.leftLength()));
        pairCounts.forEach((k, c) -> heap.add(candidate(k, c, symbols)));
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges && !heap.isEmpty()) {
            Candidate top = heap.poll();
            Long current = pairCounts.get(top.key());
            if (current == null || current != top.count() || current <= 0
                    || top.merged().codePointCount(0, top.merged().length()) > maxPieceLength) {
                continue; // stale, or too long
            }
            int left = (int) (top.key() >>> 32);
            int right = (int) top.key();
            Integer existing = symbolIds.get(top.merged());
            int merged;
            if (existing == null) {
                merged = symbols.size();
                symbols.add(top.merged());
                symbolIds.put(top.merged(), merged);
                merges.add(top.merged());
            } else {
                merged = existing;
            }
            Set<Long> touched = new HashSet<>();
            for (int w : new ArrayList<>(pairWords.getOrDefault(top.key(), Set.of()))) {
                int[] seq = seqs[w];
                int[] next = mergePair(seq, left, right, merged);
                if (next.length == seq.length) {
                    continue;
                }
                addPairs(seq, -freq[w], w, pairCounts, pairWords, touched);
                addPairs(next, freq[w], w, pairCounts, pairWords, touched);
                seqs[w] = next;
            }
            for (long k : touched) {
                long c = pairCounts.getOrDefault(k, 0L);
                if (c > 0) {
                    heap.add(candidate(k, c, symbols));
                }
            }
        }
        List<SentencePieceModel.Piece> pieces = new ArrayList<>();
        pieces.add(new SentencePieceModel.Piece(Tokenizer.UNK, 0f, SentencePieceModel.PieceType.UNKNOWN));
        pieces.add(new SentencePieceModel.Piece("<s>", 0f, SentencePieceModel.PieceType.CONTROL));
        pieces.add(new SentencePieceModel.Piece("</s>", 0f, SentencePieceModel.PieceType.CONTROL));
        for (int i = 0; i < merges.size(); i++) {
            pieces.add(new SentencePieceModel.Piece(merges.get(i), -i, SentencePieceModel.PieceType.NORMAL));
        }
        List<Integer> chars = new ArrayList<>(charCounts.keySet());
        chars.sort((a, b) -> !charCounts.get(a).equals(charCounts.get(b))
                ? Long.compare(charCounts.get(b), charCounts.get(a))
                : Integer.compare(symbols.get(a).codePointAt(0), symbols.get(b).codePointAt(0)));
        for (int j = 0; j < chars.size(); j++) {
            pieces.add(new SentencePieceModel.Piece(symbols.get(chars.get(j)), -(merges.size() + j),
                    SentencePieceModel.PieceType.NORMAL));
        }
        SentencePieceModel model = new SentencePieceModel(pieces, SentencePieceModel.ModelType.BPE,
                SentencePieceModel.NormalizerSpec.identity(), false, false);
        return model.toBytes(pieces.size());
    }

    private static Candidate candidate(long key, long count, List<String> symbols) {
        String left = symbols.get((int) (key >>> 32));
        return new Candidate(key, count, left + symbols.get((int) key), left.length());
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static void addPairs(int[] seq, long delta, int word, Map<Long, Long> counts,
                                 Map<Long, Set<Integer>> where, Set<Long> touched) {
        for (int i = 0; i + 1 < seq.length; i++) {
            long k = key(seq[i], seq[i + 1]);
            counts.merge(k, delta, Long::sum);
            if (delta > 0) {
                where.computeIfAbsent(k, x -> new HashSet<>()).add(word);
            }
            if (touched != null) {
                touched.add(k);
            }
        }
    }

    /** Replaces non-overlapping occurrences of (left, right), scanning left to right. */
    private static int[] mergePair(int[] seq, int left, int right, int merged) {
        int[] out = new int[seq.length];
        int n = 0;
        for (int i = 0; i < seq.length; i++) {
            if (i + 1 < seq.length && seq[i] == left && seq[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = seq[i];
            }
        }
        return n == seq.length ? seq : java.util.Arrays.copyOf(out, n);
    }
}
