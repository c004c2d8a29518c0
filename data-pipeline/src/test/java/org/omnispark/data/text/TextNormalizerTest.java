package org.omnispark.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hand-written expected strings for {@link TextNormalizer}. */
class TextNormalizerTest {
    private final TextNormalizer defaults = new TextNormalizer();

    @ParameterizedTest(name = "[{index}] ''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Hello, World!                        | hello world",
        "\"  Don't   STOP—believing.  \"      | don't stop believing",     // em dash (Pd) -> space
        "[noise] yes <unk> no {laugh} maybe   | yes no maybe",
        "rock 'n' roll                        | rock n roll",              // quotes, not inside a word
        "the dogs' bones                      | the dogs bones",
        "It’s fine                            | it's fine",                // U+2019 inside a word -> '
        "ＦＵＬＬ ﬁne ①                         | full fine 1",              // NFKC: full width, ligature, circled 1
        "$5 + 3 = 8 €                         | 5 3 8",                    // symbols (Sc, Sm) -> space
        "a\u200Bb c                           | ab c",                     // zero-width space (Cf) dropped
        "STRASSE Über                         | strasse über",
        "[noise]                              | ''",                       // empty after normalization
        "well-known U.S. e-mail               | well known u s e mail",
        "\"l'\u00e9t\u00e9\"                  | l'été",
    })
    void defaultsNormalize(String input, String expected) {
        assertEquals(expected.equals("''") ? "" : expected, defaults.normalize(input), "input: " + input);
    }

    @Test
    void tabsAndNewlinesCollapse() {
        assertEquals("a b c", defaults.normalize("\ta\n\nb \u00A0 c\r\n"));
    }

    @Test
    void digitsCanBeDropped() {
        TextNormalizer n = new TextNormalizer(TextNormalizerOptions.builder()
                .optDigits(TextNormalizerOptions.DigitPolicy.DROP).build());
        assertEquals("room is b", n.normalize("Room 101 is 2B"));
    }

    @Test
    void uppercaseKeepsInnerApostrophes() {
        TextNormalizer n = new TextNormalizer(TextNormalizerOptions.builder()
                .optCaseMode(TextNormalizerOptions.CaseMode.UPPER).build());
        assertEquals("DON'T SAY NO", n.normalize("don't say 'no'"));
    }

    @Test
    void everythingOffKeepsTheTextButControls() {
        TextNormalizer n = new TextNormalizer(new TextNormalizerOptions(TextNormalizerOptions.CaseMode.NONE,
                TextNormalizerOptions.UnicodeForm.NONE, false, false, false, TextNormalizerOptions.DigitPolicy.KEEP));
        assertEquals("A,  [b] ﬁ 1", n.normalize("A,  [b] ﬁ 1"));
        assertEquals("a b", n.normalize("a\u0007 b"), "BEL (Cc) dropped");
        assertEquals("a b", n.normalize("a\tb"), "tab becomes a space even without collapsing");
    }

    @Test
    void nfcComposesButKeepsCompatibilityForms() {
        TextNormalizer n = new TextNormalizer(TextNormalizerOptions.builder()
                .optUnicodeForm(TextNormalizerOptions.UnicodeForm.NFC).build());
        // e + U+0301 composes to é (U+00E9); the ligature ﬁ stays under NFC (NFKC would give "fi").
        assertEquals("caf\u00e9 \ufb01", n.normalize("cafe\u0301 \ufb01"));
    }

    @Test
    void tagsAreReplacedBySpaceNotGlued() {
        TextNormalizer n = new TextNormalizer(TextNormalizerOptions.builder().optCollapseWhitespace(false).build());
        assertEquals("a b", n.normalize("a[x]b"));
        assertEquals("a b", n.normalize("a<sil>b"));
    }

    @Test
    void isSerializableWithItsOptions() throws Exception {
        TextNormalizer n = new TextNormalizer(TextNormalizerOptions.builder()
                .optCaseMode(TextNormalizerOptions.CaseMode.UPPER).build());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(n);
        }
        TextNormalizer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (TextNormalizer) in.readObject();
        }
        assertEquals(n.options(), copy.options());
        assertEquals("HELLO THERE", copy.normalize("hello, there!"));
    }
}
