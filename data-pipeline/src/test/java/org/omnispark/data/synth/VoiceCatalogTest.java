package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VoiceCatalogTest {
    private final VoiceCatalog catalog = VoiceCatalog.builtIn();

    @Test
    void partitionIsDisjointCompleteAndStable() {
        Set<Voice> train = new HashSet<>(catalog.voices(Split.TRAIN));
        Set<Voice> heldout = new HashSet<>(catalog.voices(Split.HELDOUT));
        int all = VoiceCatalog.BUILT_IN_LANGUAGES.size() * VoiceCatalog.BUILT_IN_VARIANTS.size(); // 8 * 18 = 144
        assertEquals(144, all);
        assertEquals(all, train.size() + heldout.size(), "train " + train.size() + " + heldout " + heldout.size());
        Set<Voice> both = new HashSet<>(train);
        both.retainAll(heldout);
        assertTrue(both.isEmpty(), "in both splits: " + both);
        // Expected 0.15 * 144 = 21.6 heldout; binomial sd = sqrt(144 * 0.15 * 0.85) = 4.3
        assertTrue(heldout.size() >= 8 && heldout.size() <= 36, "heldout voices: " + heldout.size());
        // StableHash.unit("voice:en-us+m3") = 0.0981 (stable_hash_golden.py) < 0.15, so en-us+m3 is held out
        assertEquals(Split.HELDOUT, catalog.splitOf(Voice.parse("en-us+m3")));
        assertEquals(catalog.voices(Split.HELDOUT), VoiceCatalog.builtIn().voices(Split.HELDOUT), "stable");
    }

    @Test
    void samplesStayInTheirSplitAndRanges() {
        SplittableRandom rng = new SplittableRandom(5);
        int minRate = 999;
        int maxRate = 0;
        int minPitch = 999;
        int maxPitch = 0;
        for (Split split : Split.values()) {
            for (int i = 0; i < 2000; i++) {
                VoiceSettings s = catalog.sample(rng, split);
                assertEquals(split, catalog.splitOf(s.voice()), "voice " + s.voice());
                minRate = Math.min(minRate, s.rateWpm());
                maxRate = Math.max(maxRate, s.rateWpm());
                minPitch = Math.min(minPitch, s.pitch());
                maxPitch = Math.max(maxPitch, s.pitch());
            }
        }
        assertEquals(130, minRate, "rate low bound");
        assertEquals(200, maxRate, "rate high bound");
        assertEquals(30, minPitch, "pitch low bound");
        assertEquals(70, maxPitch, "pitch high bound");
    }

    @Test
    void voiceNamesParseAndValidate() {
        assertEquals(new Voice("en-gb-x-rp", "whisper"), Voice.parse("en-gb-x-rp+whisper"));
        assertEquals("en-us", Voice.parse("en-us").espeakName());
        assertThrows(IllegalArgumentException.class, () -> Voice.parse("en us+m3"));
        assertThrows(IllegalArgumentException.class, () -> new VoiceSettings(Voice.parse("en-us"), 500, 50));
    }

    @Test
    void localEspeakHasEveryBuiltInVoice() throws Exception {
        org.omnispark.data.tools.RequiredTools.check(SynthTestSupport.hasTools(), "espeak-ng and sox not installed: apt-get install espeak-ng sox");
        EspeakNg espeak = EspeakNg.locate("espeak-ng");
        catalog.checkInstalled(espeak);
        assertTrue(espeak.installedVariants().contains("m3"), "variants: " + espeak.installedVariants());
        VoiceCatalog installed = VoiceCatalog.installed(espeak, 0.15);
        assertTrue(installed.voices(Split.TRAIN).size() + installed.voices(Split.HELDOUT).size() >= 144);
    }
}
