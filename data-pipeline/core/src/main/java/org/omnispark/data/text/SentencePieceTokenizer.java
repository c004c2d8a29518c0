package org.omnispark.data.text;

import java.io.IOException;
import java.io.ObjectStreamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A tokenizer backed by a SentencePiece {@code .model} file (UNIGRAM or BPE), encoding exactly like
 * {@code spm_encode} (same normalization, same pieces) without a native library or protobuf dependency.
 *
 * <p>OmniSpark ids: {@value #BLANK} = 0, {@value #UNK} = 1 (the model's unknown piece), then the model's pieces
 * except its CONTROL and UNKNOWN pieces (e.g. {@code <s>}, {@code </s>}), in model order, then
 * {@value #SOS_EOS} last. Byte fallback is not implemented: unknown characters always become {@value #UNK}.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    /** The model file name inside a saved tokenizer folder. */
    public static final String MODEL_FILE = "spm.model";

    private final byte[] modelBytes;
    private final transient SentencePieceModel model;
    private final transient SpmNormalizer normalizer;
    private final transient SpmSegmenter segmenter;
    private final transient List<String> units;
    private final transient int[] spmToOmni;

    private SentencePieceTokenizer(byte[] modelBytes) {
        this.modelBytes = modelBytes.clone();
        this.model = SentencePieceModel.parse(this.modelBytes);
        this.normalizer = new SpmNormalizer(model.normalizer(), model.treatWhitespaceAsSuffix());
        this.segmenter = SpmSegmenter.create(model);
        List<String> u = new ArrayList<>();
        u.add(BLANK);
        u.add(UNK);
        int[] map = new int[model.pieces().size()];
        Set<String> seen = new HashSet<>(u);
        for (int i = 0; i < map.length; i++) {
            SentencePieceModel.Piece p = model.pieces().get(i);
            switch (p.type()) {
                case UNKNOWN -> map[i] = 1;
                case CONTROL -> map[i] = -1;
                default -> {
                    if (!seen.add(p.piece()) || SOS_EOS.equals(p.piece())) {
                        throw new IllegalArgumentException("SentencePiece piece '" + p.piece() + "' (id " + i
                                + ") clashes with an OmniSpark unit; retrain without it");
                    }
                    map[i] = u.size();
                    u.add(p.piece());
                }
            }
        }
        u.add(SOS_EOS);
        this.units = List.copyOf(u);
        this.spmToOmni = map;
    }

    /** Loads a SentencePiece model from its serialized ModelProto bytes. */
    public static SentencePieceTokenizer fromModelBytes(byte[] modelProto) {
        return new SentencePieceTokenizer(modelProto);
    }

    /** Loads a {@code .model} file written by spm_train (or by {@link #train}). */
    public static SentencePieceTokenizer load(Path modelFile) throws IOException {
        return new SentencePieceTokenizer(Files.readAllBytes(modelFile));
    }

    /**
     * Trains a model on normalized texts. BPE is trained in Java ({@link BpeTrainer}); UNIGRAM runs
     * {@code spm_train} as a subprocess ({@link SpmTrainProcess}), which must be on the PATH.
     *
     * @param vocabSize the SentencePiece vocabulary size, which includes {@code <unk>, <s>, </s>}; the OmniSpark
     *     vocabulary then has the same size ({@code <s>, </s>} are replaced by {@code <blank>, <sos/eos>})
     */
    public static SentencePieceTokenizer train(Iterable<String> normalizedTexts, int vocabSize,
                                               SentencePieceModel.ModelType type) throws IOException {
        return switch (type) {
            case BPE -> fromModelBytes(BpeTrainer.builder().setVocabSize(vocabSize).build().train(normalizedTexts));
            case UNIGRAM -> fromModelBytes(SpmTrainProcess.train(normalizedTexts, vocabSize, "unigram"));
            default -> throw new IllegalArgumentException("Training " + type + " models is not supported; use "
                    + "BPE or UNIGRAM (or CharTokenizer for characters)");
        };
    }

    @Override
    public int[] encode(String normalizedText) {
        List<SpmSegmenter.Segment> segments = segmenter.segment(normalizer.normalize(normalizedText));
        int[] ids = new int[segments.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = spmToOmni[segments.get(i).id()];
        }
        return ids;
    }

    /** The pieces spm_encode --output_format=piece prints (unknown runs appear as their text). */
    public List<String> encodeAsPieces(String text) {
        return segmenter.segment(normalizer.normalize(text)).stream().map(SpmSegmenter.Segment::piece).toList();
    }

    /** The ids spm_encode --output_format=id prints (SentencePiece's ids, not OmniSpark's). */
    public int[] encodeAsSpmIds(String text) {
        return segmenter.segment(normalizer.normalize(text)).stream().mapToInt(SpmSegmenter.Segment::id).toArray();
    }

    /** The text spm_normalize prints: the model's normalization, with "▁" for spaces and the dummy prefix. */
    public String normalizeLikeSpm(String text) {
        return normalizer.normalize(text);
    }

    @Override
    public String decode(int[] ids) {
        String text = Tokenizers.joinUnits(ids, units, sosEosId());
        SentencePieceModel.NormalizerSpec spec = model.normalizer();
        if (spec.addDummyPrefix()) {
            if (model.treatWhitespaceAsSuffix() && text.endsWith(" ")) {
                text = text.substring(0, text.length() - 1);
            } else if (!model.treatWhitespaceAsSuffix() && text.startsWith(" ")) {
                text = text.substring(1);
            }
        }
        return text;
    }

    @Override
    public int countUnknown(String normalizedText) {
        int count = 0;
        for (SpmSegmenter.Segment s : segmenter.segment(normalizer.normalize(normalizedText))) {
            if (s.id() == segmenter.unkId) {
                count += (int) s.piece().codePoints().filter(cp -> cp != ' ' && cp != SPACE.codePointAt(0)).count();
            }
        }
        return count;
    }

    @Override
    public List<String> units() {
        return units;
    }

    @Override
    public String type() {
        return "sentencepiece";
    }

    /** The model type (UNIGRAM or BPE). */
    public SentencePieceModel.ModelType modelType() {
        return model.modelType();
    }

    /** The parsed model. */
    public SentencePieceModel model() {
        return model;
    }

    /** The serialized ModelProto, byte for byte as loaded. */
    public byte[] modelBytes() {
        return modelBytes.clone();
    }

    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(MODEL_FILE), modelBytes);
        Tokenizers.writeUnits(dir.resolve(UNITS_FILE), units);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SentencePieceTokenizer other && Arrays.equals(modelBytes, other.modelBytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(modelBytes);
    }

    @Override
    public String toString() {
        return "SentencePieceTokenizer[" + model.modelType() + ", " + units.size() + " units]";
    }

    private Object readResolve() throws ObjectStreamException {
        return new SentencePieceTokenizer(modelBytes);
    }
}
