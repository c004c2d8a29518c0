package org.omnispark.data.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a SentencePiece {@code ModelProto} (the {@code .model} file spm_train writes) that encoding
 * needs: the pieces with their scores and types, the model type and the normalizer settings. Parsed with a
 * hand-written protobuf wire-format reader ({@link ProtoWire}); unknown fields are ignored.
 *
 * <p>Field numbers, from sentencepiece_model.proto: ModelProto {1: pieces, 2: trainer_spec, 3: normalizer_spec};
 * SentencePiece {1: piece, 2: score, 3: type}; TrainerSpec {3: model_type, 4: vocab_size, 24:
 * treat_whitespace_as_suffix, 35: byte_fallback}; NormalizerSpec {1: name, 2: precompiled_charsmap, 3:
 * add_dummy_prefix, 4: remove_extra_whitespaces, 5: escape_whitespaces}.
 *
 * @param pieces the pieces in model order (index = SentencePiece id)
 * @param modelType UNIGRAM or BPE
 * @param normalizer the normalizer settings
 * @param treatWhitespaceAsSuffix whether "▁" ends rather than starts a word
 * @param byteFallback whether the model was trained with byte fallback (this reader maps unknowns to unk anyway)
 */
public record SentencePieceModel(List<Piece> pieces, ModelType modelType, NormalizerSpec normalizer,
                                 boolean treatWhitespaceAsSuffix, boolean byteFallback) implements Serializable {

    /** SentencePiece's model types (TrainerSpec.ModelType); this package encodes UNIGRAM and BPE. */
    public enum ModelType {
        UNIGRAM(1), BPE(2), WORD(3), CHAR(4);

        private final int protoValue;

        ModelType(int protoValue) {
            this.protoValue = protoValue;
        }

        /** The enum number in sentencepiece_model.proto. */
        public int protoValue() {
            return protoValue;
        }

        static ModelType fromProto(int value) {
            for (ModelType t : values()) {
                if (t.protoValue == value) {
                    return t;
                }
            }
            throw new IllegalArgumentException("Unknown SentencePiece model_type " + value
                    + "; expected 1 (UNIGRAM), 2 (BPE), 3 (WORD) or 4 (CHAR)");
        }
    }

    /** SentencePiece's piece types (ModelProto.SentencePiece.Type). */
    public enum PieceType {
        NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

        /** The enum number in sentencepiece_model.proto (NORMAL = 1). */
        public int protoValue() {
            return ordinal() + 1;
        }

        static PieceType fromProto(int value) {
            if (value < 1 || value > values().length) {
                throw new IllegalArgumentException("Unknown SentencePiece piece type " + value + "; expected 1..6");
            }
            return values()[value - 1];
        }
    }

    /**
     * One vocabulary entry.
     *
     * @param piece the piece text, "▁" standing for a space
     * @param score its log probability (unigram) or merge priority (BPE)
     * @param type its type
     */
    public record Piece(String piece, float score, PieceType type) implements Serializable {
        /** Validates the piece. */
        public Piece {
            Objects.requireNonNull(type, "type");
            if (piece == null || piece.isEmpty()) {
                throw new IllegalArgumentException("A SentencePiece piece must not be empty");
            }
        }
    }

    /**
     * The normalizer settings.
     *
     * @param name the rule name (nmt_nfkc, identity, user_defined, ...); informational
     * @param precompiledCharsmap the compiled rules (double-array trie + replacement strings); empty = identity
     * @param addDummyPrefix whether a "▁" is put before the first word
     * @param removeExtraWhitespaces whether leading, trailing and repeated spaces are removed
     * @param escapeWhitespaces whether spaces become "▁"
     */
    public record NormalizerSpec(String name, byte[] precompiledCharsmap, boolean addDummyPrefix,
                                 boolean removeExtraWhitespaces, boolean escapeWhitespaces) implements Serializable {
        /** Validates the spec. */
        public NormalizerSpec {
            Objects.requireNonNull(name, "name");
            precompiledCharsmap = precompiledCharsmap == null ? new byte[0] : precompiledCharsmap.clone();
        }

        /** Identity normalization with SentencePiece's default whitespace handling. */
        public static NormalizerSpec identity() {
            return new NormalizerSpec("identity", new byte[0], true, true, true);
        }

        @Override
        public byte[] precompiledCharsmap() {
            return precompiledCharsmap.clone();
        }
    }

    /** Validates the model: at least one piece, exactly one UNKNOWN piece, a supported model type. */
    public SentencePieceModel {
        pieces = List.copyOf(pieces);
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(normalizer, "normalizer");
        long unknowns = pieces.stream().filter(p -> p.type() == PieceType.UNKNOWN).count();
        if (unknowns != 1) {
            throw new IllegalArgumentException("A SentencePiece model needs exactly one UNKNOWN piece, found "
                    + unknowns + "; retrain with spm_train (it always adds <unk>)");
        }
    }

    /** The SentencePiece id of the UNKNOWN piece. */
    public int unkId() {
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i).type() == PieceType.UNKNOWN) {
                return i;
            }
        }
        throw new IllegalStateException("unreachable: validated on construction");
    }

    /** Parses a serialized ModelProto. */
    public static SentencePieceModel parse(byte[] modelProto) {
        List<Piece> pieces = new ArrayList<>();
        ModelType type = ModelType.UNIGRAM; // proto default
        boolean suffix = false;
        boolean byteFallback = false;
        NormalizerSpec normalizer = new NormalizerSpec("", new byte[0], true, true, true);
        ProtoWire.Reader r = new ProtoWire.Reader(modelProto);
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> pieces.add(parsePiece(r.readMessage()));
                case 2 -> {
                    ProtoWire.Reader t = r.readMessage();
                    while (t.next()) {
                        switch (t.fieldNumber()) {
                            case 3 -> type = ModelType.fromProto(t.readInt32());
                            case 24 -> suffix = t.readBool();
                            case 35 -> byteFallback = t.readBool();
                            default -> t.skip();
                        }
                    }
                }
                case 3 -> normalizer = parseNormalizer(r.readMessage());
                default -> r.skip();
            }
        }
        if (pieces.isEmpty()) {
            throw new IllegalArgumentException("The SentencePiece model has no pieces; is this a .model file?");
        }
        return new SentencePieceModel(pieces, type, normalizer, suffix, byteFallback);
    }

    /** Serializes the model as a ModelProto that spm_encode can load (unused spec fields keep their defaults). */
    public byte[] toBytes(int vocabSizeForSpec) {
        ProtoWire.Writer w = new ProtoWire.Writer();
        for (Piece p : pieces) {
            ProtoWire.Writer pw = new ProtoWire.Writer().writeString(1, p.piece()).writeFloat(2, p.score());
            if (p.type() != PieceType.NORMAL) {
                pw.writeInt32(3, p.type().protoValue());
            }
            w.writeMessage(1, pw);
        }
        int unk = unkId();
        int bos = indexOf("<s>", PieceType.CONTROL);
        int eos = indexOf("</s>", PieceType.CONTROL);
        ProtoWire.Writer trainer = new ProtoWire.Writer().writeInt32(3, modelType.protoValue())
                .writeInt32(4, vocabSizeForSpec).writeBool(24, treatWhitespaceAsSuffix)
                .writeBool(35, byteFallback).writeInt32(40, unk).writeInt32(41, bos).writeInt32(42, eos)
                .writeInt32(43, -1).writeString(45, pieces.get(unk).piece());
        w.writeMessage(2, trainer);
        ProtoWire.Writer norm = new ProtoWire.Writer().writeString(1, normalizer.name());
        if (normalizer.precompiledCharsmap().length > 0) {
            norm.writeBytes(2, normalizer.precompiledCharsmap());
        }
        norm.writeBool(3, normalizer.addDummyPrefix()).writeBool(4, normalizer.removeExtraWhitespaces())
                .writeBool(5, normalizer.escapeWhitespaces());
        w.writeMessage(3, norm);
        return w.toByteArray();
    }

    private int indexOf(String piece, PieceType type) {
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i).type() == type && pieces.get(i).piece().equals(piece)) {
                return i;
            }
        }
        return -1;
    }

    private static Piece parsePiece(ProtoWire.Reader r) {
        String piece = null;
        float score = 0f;
        PieceType type = PieceType.NORMAL;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> piece = r.readString();
                case 2 -> score = r.readFloat();
                case 3 -> type = PieceType.fromProto(r.readInt32());
                default -> r.skip();
            }
        }
        return new Piece(piece, score, type);
    }

    private static NormalizerSpec parseNormalizer(ProtoWire.Reader r) {
        String name = "";
        byte[] charsmap = new byte[0];
        boolean dummy = true;
        boolean removeExtra = true;
        boolean escape = true;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> name = r.readString();
                case 2 -> charsmap = r.readBytes();
                case 3 -> dummy = r.readBool();
                case 4 -> removeExtra = r.readBool();
                case 5 -> escape = r.readBool();
                default -> r.skip();
            }
        }
        return new NormalizerSpec(name, charsmap, dummy, removeExtra, escape);
    }
}
