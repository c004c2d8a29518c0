package org.omnispark.data.text;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Normalizes (pseudo-label) transcripts before tokenization. Steps, in order:
 * <ol>
 *   <li>Unicode normalization ({@link TextNormalizerOptions#unicodeForm()});</li>
 *   <li>control and format characters (Cc, Cf) are dropped, except whitespace, which becomes a space;</li>
 *   <li>bracketed tags "[...]", "&lt;...&gt;", "{...}" are replaced by a space, if enabled;</li>
 *   <li>case mapping with {@link Locale#ROOT};</li>
 *   <li>digits are dropped, if the policy is DROP;</li>
 *   <li>punctuation and symbols become spaces, keeping an apostrophe between letters/digits (as "'");</li>
 *   <li>whitespace is trimmed and collapsed to single spaces, if enabled.</li>
 * </ol>
 * Immutable and thread-safe; {@link Serializable} for Spark closures.
 */
public final class TextNormalizer implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern TAGS = Pattern.compile("\\[[^\\[\\]]*\\]|<[^<>]*>|\\{[^{}]*\\}");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private final TextNormalizerOptions options;

    /** A normalizer with the given options. */
    public TextNormalizer(TextNormalizerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A normalizer with {@link TextNormalizerOptions#defaults()}. */
    public TextNormalizer() {
        this(TextNormalizerOptions.defaults());
    }

    /** The options. */
    public TextNormalizerOptions options() {
        return options;
    }

    /** Normalizes one transcript; the result may be empty (callers reject such rows). */
    public String normalize(String text) {
        Objects.requireNonNull(text, "text");
        String s = switch (options.unicodeForm()) {
            case NFKC -> Normalizer.normalize(text, Normalizer.Form.NFKC);
            case NFC -> Normalizer.normalize(text, Normalizer.Form.NFC);
            case NONE -> text;
        };
        s = dropControls(s);
        if (options.removeBracketedTags()) {
            s = TAGS.matcher(s).replaceAll(" ");
        }
        s = switch (options.caseMode()) {
            case LOWER -> s.toLowerCase(Locale.ROOT);
            case UPPER -> s.toUpperCase(Locale.ROOT);
            case NONE -> s;
        };
        if (options.digits() == TextNormalizerOptions.DigitPolicy.DROP) {
            s = s.codePoints().filter(cp -> !Character.isDigit(cp))
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        }
        if (options.stripPunctuation()) {
            s = stripPunctuation(s);
        }
        if (options.collapseWhitespace()) {
            s = SPACES.matcher(s.replace('\u00A0', ' ').replace('\u2007', ' ').replace('\u202F', ' '))
                    .replaceAll(" ").strip();
        }
        return s;
    }

    private static String dropControls(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                sb.append(cp == ' ' || type == Character.SPACE_SEPARATOR ? Character.toString(cp) : " ");
            } else if (type != Character.CONTROL && type != Character.FORMAT) {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    private static String stripPunctuation(String s) {
        int[] cps = s.codePoints().toArray();
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < cps.length; i++) {
            int cp = cps[i];
            if (cp == '\'' || cp == '\u2019') {
                boolean inside = i > 0 && i + 1 < cps.length && Character.isLetterOrDigit(cps[i - 1])
                        && Character.isLetterOrDigit(cps[i + 1]);
                sb.append(inside ? '\'' : ' ');
            } else if (isPunctuationOrSymbol(cp)) {
                sb.append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    private static boolean isPunctuationOrSymbol(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return "TextNormalizer" + options.toMap();
    }
}
