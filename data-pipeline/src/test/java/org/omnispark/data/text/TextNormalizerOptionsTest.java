package org.omnispark.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextNormalizerOptionsTest {

    @Test
    void defaultsAsMap() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("case", "lower");
        expected.put("unicode_form", "nfkc");
        expected.put("strip_punctuation", true);
        expected.put("collapse_whitespace", true);
        expected.put("remove_bracketed_tags", true);
        expected.put("digits", "keep");
        assertEquals(expected, TextNormalizerOptions.defaults().toMap());
        assertEquals(TextNormalizerOptions.defaults(), TextNormalizerOptions.fromMap(Map.of()));
    }

    @Test
    void mapRoundTrip() {
        TextNormalizerOptions o = new TextNormalizerOptions(TextNormalizerOptions.CaseMode.UPPER,
                TextNormalizerOptions.UnicodeForm.NONE, false, true, false, TextNormalizerOptions.DigitPolicy.DROP);
        assertEquals(o, TextNormalizerOptions.fromMap(o.toMap()));
    }

    @Test
    void acceptsYamlStyleValues() {
        TextNormalizerOptions o = TextNormalizerOptions.fromMap(Map.of("case", "Upper", "strip_punctuation", "false",
                "unicode_form", "NFC", "collapse_whitespace", Boolean.FALSE));
        assertEquals(TextNormalizerOptions.CaseMode.UPPER, o.caseMode());
        assertEquals(TextNormalizerOptions.UnicodeForm.NFC, o.unicodeForm());
        assertEquals(false, o.stripPunctuation());
        assertEquals(false, o.collapseWhitespace());
        assertEquals(true, o.removeBracketedTags(), "unset keys keep the default");
    }

    @Test
    void unknownKeyListsTheValidKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextNormalizerOptions.fromMap(Map.of("lowercase", true)));
        for (String key : TextNormalizerOptions.defaults().toMap().keySet()) {
            assertTrue(e.getMessage().contains(key), e.getMessage() + " should list " + key);
        }
        assertTrue(e.getMessage().contains("'lowercase'"), e.getMessage());
    }

    @Test
    void invalidValuesNameTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextNormalizerOptions.fromMap(Map.of("digits", "spell")));
        assertTrue(e.getMessage().contains("keep, drop"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TextNormalizerOptions.fromMap(Map.of("strip_punctuation", "yes")));
        assertTrue(e.getMessage().contains("true, false"), e.getMessage());
    }

    @Test
    void nullsAreRejected() {
        assertThrows(NullPointerException.class, () -> new TextNormalizerOptions(null,
                TextNormalizerOptions.UnicodeForm.NFC, true, true, true, TextNormalizerOptions.DigitPolicy.KEEP));
    }
}
