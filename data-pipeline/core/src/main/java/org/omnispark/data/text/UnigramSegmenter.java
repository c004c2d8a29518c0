package org.omnispark.data.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Unigram-model segmentation: the Viterbi path over the lattice of all pieces of the sentence, maximizing the sum
 * of piece scores (log probabilities), as SentencePiece's unigram Model::EncodeOptimized does. A character no
 * single-character piece covers becomes an unknown node scored {@code min(normal scores) - 10}; a user-defined
 * piece scores {@code utf8Length * max(normal scores) - 0.1}; UNUSED pieces are skipped. Scores are summed in
 * float, and a later candidate replaces the best one only if strictly better, so ties resolve as SentencePiece's.
 */
final class UnigramSegmenter extends SpmSegmenter {
    private static final float UNK_PENALTY = 10.0f;
    private final float minScore;
    private final float maxScore;

    UnigramSegmenter(SentencePieceModel model) {
        super(model);
        float min = Float.MAX_VALUE;
        float max = Float.MIN_VALUE; // as SentencePiece (FLT_MIN, the smallest positive float)
        for (SentencePieceModel.Piece p : model.pieces()) {
            if (p.type() == SentencePieceModel.PieceType.NORMAL) {
                min = Math.min(min, p.score());
                max = Math.max(max, p.score());
            }
        }
        this.minScore = min;
        this.maxScore = max;
    }

    @Override
    protected List<Segment> segmentRaw(String s) {
        int n = s.length();
        // Per end position (in chars): best score of a path ending there, its last piece's id and start.
        float[] best = new float[n + 1];
        int[] bestId = new int[n + 1];
        int[] bestStart = new int[n + 1];
        java.util.Arrays.fill(bestStart, -1);
        bestStart[0] = 0;
        float unkScore = minScore - UNK_PENALTY;
        for (int start = 0; start < n; ) {
            int charLen = Character.charCount(s.codePointAt(start));
            if (bestStart[start] == -1 && start != 0) {
                start += charLen; // unreachable position (never happens: unknown nodes keep the lattice connected)
                continue;
            }
            float here = best[start];
            boolean hasSingle = false;
            int end = start;
            for (int k = 0; k < maxPieceCodePoints && end < n; k++) {
                end += Character.charCount(s.codePointAt(end));
                Integer id = pieceIds.get(s.substring(start, end));
                if (id == null) {
                    continue;
                }
                SentencePieceModel.Piece p = model.pieces().get(id);
                if (p.type() == SentencePieceModel.PieceType.UNUSED) {
                    continue;
                }
                float score = p.type() == SentencePieceModel.PieceType.USER_DEFINED
                        ? (float) (utf8Length(s, start, end) * maxScore - 0.1)
                        : p.score();
                relax(best, bestId, bestStart, start, end, id, score + here);
                if (end - start == charLen) {
                    hasSingle = true;
                }
            }
            if (!hasSingle) {
                relax(best, bestId, bestStart, start, start + charLen, unkId, unkScore + here);
            }
            start += charLen;
        }
        List<Segment> out = new ArrayList<>();
        for (int end = n; end > 0; ) {
            int start = bestStart[end];
            out.add(new Segment(s.substring(start, end), bestId[end]));
            end = start;
        }
        Collections.reverse(out);
        return out;
    }

    private static void relax(float[] best, int[] bestId, int[] bestStart, int start, int end, int id, float score) {
        if (bestStart[end] == -1 || score > best[end]) {
            best[end] = score;
            bestId[end] = id;
            bestStart[end] = start;
        }
    }

    private static int utf8Length(String s, int start, int end) {
        return s.substring(start, end).getBytes(StandardCharsets.UTF_8).length;
    }
}
