package org.omnispark.data.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a normalized sentence (spaces already "▁") into SentencePiece pieces. Implementations follow
 * SentencePiece's own encoders: {@link UnigramSegmenter} (Viterbi) and {@link BpeSegmenter} (score-priority
 * merges). Consecutive unknown pieces are merged into one, as SentencePieceProcessor does.
 */
abstract class SpmSegmenter {

    /**
     * One output piece.
     *
     * @param piece the piece's surface in the normalized text
     * @param id its SentencePiece id (the unk id for unknown text)
     */
    record Segment(String piece, int id) {
    }

    protected final SentencePieceModel model;
    /** NORMAL, USER_DEFINED and UNUSED pieces: the ones segmentation may produce (SentencePiece's pieces_ map). */
    protected final Map<String, Integer> pieceIds = new HashMap<>();
    protected final Map<String, Integer> userDefined = new HashMap<>();
    protected final int unkId;
    protected final int maxPieceCodePoints;

    SpmSegmenter(SentencePieceModel model) {
        this.model = model;
        this.unkId = model.unkId();
        int maxLen = 1;
        List<SentencePieceModel.Piece> pieces = model.pieces();
        for (int i = 0; i < pieces.size(); i++) {
            SentencePieceModel.Piece p = pieces.get(i);
            switch (p.type()) {
                case NORMAL, UNUSED, USER_DEFINED -> {
                    if (pieceIds.putIfAbsent(p.piece(), i) != null) {
                        throw new IllegalArgumentException("The SentencePiece model defines piece '" + p.piece()
                                + "' twice (ids " + pieceIds.get(p.piece()) + " and " + i + ")");
                    }
                    maxLen = Math.max(maxLen, p.piece().codePointCount(0, p.piece().length()));
                    if (p.type() == SentencePieceModel.PieceType.USER_DEFINED) {
                        userDefined.put(p.piece(), i);
                    }
                }
                default -> {
                }
            }
        }
        this.maxPieceCodePoints = maxLen;
    }

    static SpmSegmenter create(SentencePieceModel model) {
        return switch (model.modelType()) {
            case UNIGRAM -> new UnigramSegmenter(model);
            case BPE -> new BpeSegmenter(model);
            default -> throw new IllegalArgumentException("SentencePiece model_type " + model.modelType()
                    + " is not supported; train the model with --model_type=unigram or --model_type=bpe");
        };
    }

    /** Segments a normalized sentence and merges runs of unknown pieces. */
    final List<Segment> segment(String normalized) {
        List<Segment> raw = segmentRaw(normalized);
        List<Segment> merged = new ArrayList<>(raw.size());
        for (Segment s : raw) {
            if (s.id() == unkId && !merged.isEmpty() && merged.get(merged.size() - 1).id() == unkId) {
                Segment prev = merged.remove(merged.size() - 1);
                merged.add(new Segment(prev.piece() + s.piece(), unkId));
            } else {
                merged.add(s);
            }
        }
        return merged;
    }

    /** Segments without merging unknowns. */
    protected abstract List<Segment> segmentRaw(String normalized);

    /** Longest user-defined piece starting at {@code pos}, in chars, or 0. */
    protected final int userDefinedPrefix(String s, int pos) {
        if (userDefined.isEmpty()) {
            return 0;
        }
        int best = 0;
        int end = pos;
        for (int n = 0; n < maxPieceCodePoints && end < s.length(); n++) {
            end += Character.charCount(s.codePointAt(end));
            Integer id = userDefined.get(s.substring(pos, end));
            if (id != null) {
                best = end - pos;
            }
        }
        return best;
    }
}
