package org.omnispark.data.text;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link TextNormalizer} rewrites transcripts. Stored with the dataset (see {@link #toMap()}) so training and
 * inference normalize alike.
 *
 * @param caseMode lowercase, uppercase or keep the case
 * @param unicodeForm Unicode normalization applied first (NFKC folds full-width forms, ligatures, ...)
 * @param stripPunctuation remove Unicode punctuation and symbols (categories P* and S*), replacing each by a
 *     space; an apostrophe (' or ’) between two letters or digits is kept, as "'"
 * @param collapseWhitespace trim and turn every run of whitespace into one space
 * @param removeBracketedTags remove tags such as "[noise]", "&lt;unk&gt;", "{laugh}" (square, angle or curly
 *     brackets, no nesting)
 * @param digits keep or drop the digits 0-9 (and other Unicode decimal digits)
 */
public record TextNormalizerOptions(CaseMode caseMode, UnicodeForm unicodeForm, boolean stripPunctuation,
                                    boolean collapseWhitespace, boolean removeBracketedTags, DigitPolicy digits)
        implements Serializable {

    /** Case mapping (locale-independent). */
    public enum CaseMode { LOWER, UPPER, NONE }

    /** Unicode normalization form. */
    public enum UnicodeForm { NFKC, NFC, NONE }

    /** What happens to digits. */
    public enum DigitPolicy { KEEP, DROP }

    /** Map key of {@link #caseMode()}. */
    public static final String KEY_CASE = "case";
    /** Map key of {@link #unicodeForm()}. */
    public static final String KEY_UNICODE_FORM = "unicode_form";
    /** Map key of {@link #stripPunctuation()}. */
    public static final String KEY_STRIP_PUNCTUATION = "strip_punctuation";
    /** Map key of {@link #collapseWhitespace()}. */
    public static final String KEY_COLLAPSE_WHITESPACE = "collapse_whitespace";
    /** Map key of {@link #removeBracketedTags()}. */
    public static final String KEY_REMOVE_BRACKETED_TAGS = "remove_bracketed_tags";
    /** Map key of {@link #digits()}. */
    public static final String KEY_DIGITS = "digits";
    private static final String VALID_KEYS = String.join(", ", KEY_CASE, KEY_UNICODE_FORM, KEY_STRIP_PUNCTUATION,
            KEY_COLLAPSE_WHITESPACE, KEY_REMOVE_BRACKETED_TAGS, KEY_DIGITS);

    /** Validates the options (no nulls). */
    public TextNormalizerOptions {
        Objects.requireNonNull(caseMode, "caseMode");
        Objects.requireNonNull(unicodeForm, "unicodeForm");
        Objects.requireNonNull(digits, "digits");
    }

    /** lowercase, NFKC, strip punctuation, collapse whitespace, remove bracketed tags, keep digits. */
    public static TextNormalizerOptions defaults() {
        return new TextNormalizerOptions(CaseMode.LOWER, UnicodeForm.NFKC, true, true, true, DigitPolicy.KEEP);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder(defaults());
    }

    /**
     * Reads options from a config map (e.g. parsed YAML) with snake_case keys: case (lower|upper|none),
     * unicode_form (nfkc|nfc|none), strip_punctuation, collapse_whitespace, remove_bracketed_tags (booleans),
     * digits (keep|drop). Missing keys take the defaults.
     *
     * @throws IllegalArgumentException for an unknown key or value, naming the valid ones
     */
    public static TextNormalizerOptions fromMap(Map<String, ?> map) {
        Builder b = builder();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            switch (key == null ? "" : key) {
                case KEY_CASE -> b.optCaseMode(parseEnum(CaseMode.class, key, v));
                case KEY_UNICODE_FORM -> b.optUnicodeForm(parseEnum(UnicodeForm.class, key, v));
                case KEY_STRIP_PUNCTUATION -> b.optStripPunctuation(parseBool(key, v));
                case KEY_COLLAPSE_WHITESPACE -> b.optCollapseWhitespace(parseBool(key, v));
                case KEY_REMOVE_BRACKETED_TAGS -> b.optRemoveBracketedTags(parseBool(key, v));
                case KEY_DIGITS -> b.optDigits(parseEnum(DigitPolicy.class, key, v));
                default -> throw new IllegalArgumentException("Unknown text normalization option '" + key
                        + "'; valid keys: " + VALID_KEYS);
            }
        }
        return b.build();
    }

    /** The options as a map with snake_case keys and lowercase string / boolean values; fromMap reads it back. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(KEY_CASE, caseMode.name().toLowerCase(Locale.ROOT));
        m.put(KEY_UNICODE_FORM, unicodeForm.name().toLowerCase(Locale.ROOT));
        m.put(KEY_STRIP_PUNCTUATION, stripPunctuation);
        m.put(KEY_COLLAPSE_WHITESPACE, collapseWhitespace);
        m.put(KEY_REMOVE_BRACKETED_TAGS, removeBracketedTags);
        m.put(KEY_DIGITS, digits.name().toLowerCase(Locale.ROOT));
        return m;
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, Object value) {
        String s = value == null ? "null" : value.toString().trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s)) {
                return e;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            valid.append(valid.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("Invalid value '" + s + "' for text normalization option '" + key
                + "'; valid values: " + valid);
    }

    private static boolean parseBool(String key, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value == null ? "null" : value.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("Invalid value '" + s + "' for text normalization option '" + key
                + "'; valid values: true, false");
    }

    /** Builds {@link TextNormalizerOptions}; every value is optional and starts at the default. */
    public static final class Builder {
        private CaseMode caseMode;
        private UnicodeForm unicodeForm;
        private boolean stripPunctuation;
        private boolean collapseWhitespace;
        private boolean removeBracketedTags;
        private DigitPolicy digits;

        private Builder(TextNormalizerOptions base) {
            caseMode = base.caseMode;
            unicodeForm = base.unicodeForm;
            stripPunctuation = base.stripPunctuation;
            collapseWhitespace = base.collapseWhitespace;
            removeBracketedTags = base.removeBracketedTags;
            digits = base.digits;
        }

        /** Case mapping; default LOWER. */
        public Builder optCaseMode(CaseMode v) {
            caseMode = v;
            return this;
        }

        /** Unicode form; default NFKC. */
        public Builder optUnicodeForm(UnicodeForm v) {
            unicodeForm = v;
            return this;
        }

        /** Strip punctuation and symbols; default true. */
        public Builder optStripPunctuation(boolean v) {
            stripPunctuation = v;
            return this;
        }

        /** Collapse whitespace; default true. */
        public Builder optCollapseWhitespace(boolean v) {
            collapseWhitespace = v;
            return this;
        }

        /** Remove bracketed tags; default true. */
        public Builder optRemoveBracketedTags(boolean v) {
            removeBracketedTags = v;
            return this;
        }

        /** Digits policy; default KEEP. */
        public Builder optDigits(DigitPolicy v) {
            digits = v;
            return this;
        }

        /** Validates and builds. */
        public TextNormalizerOptions build() {
            return new TextNormalizerOptions(caseMode, unicodeForm, stripPunctuation, collapseWhitespace,
                    removeBracketedTags, digits);
        }
    }
}
