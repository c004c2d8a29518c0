package org.omnispark.data.synth;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * English espeak-ng voices times variants, partitioned into train and held-out by a stable hash of the combined
 * name ({@code en-us+m3}), so that held-out rows are spoken by voice combinations no train row uses. Each
 * utterance also gets a random speaking rate in {@link #MIN_RATE_WPM}..{@link #MAX_RATE_WPM} and pitch in
 * {@link #MIN_PITCH}..{@link #MAX_PITCH}.
 *
 * <p>The built-in list is fixed (not read from the installed espeak-ng) so that a seed gives the same corpus on
 * every machine; {@link #checkInstalled(EspeakNg)} verifies that the local espeak-ng has all of it.
 */
public final class VoiceCatalog {
    /** espeak-ng English accents (MBROLA voices and the {@code en} alias of {@code en-gb} are left out). */
    public static final List<String> BUILT_IN_LANGUAGES = List.of("en-us", "en-gb", "en-gb-scotland",
        "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-gb-x-rp", "en-029", "en-us-nyc");
    /** espeak-ng variants; the empty string is the accent's default speaker. */
    public static final List<String> BUILT_IN_VARIANTS = List.of("", "m1", "m2", "m3", "m4", "m5", "m6", "m7",
        "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3", "croak", "whisper");
    /** Default fraction of voice combinations held out. */
    public static final double DEFAULT_HELDOUT_FRACTION = 0.15;
    /** Slowest speaking rate drawn, words per minute. */
    public static final int MIN_RATE_WPM = 130;
    /** Fastest speaking rate drawn, words per minute. */
    public static final int MAX_RATE_WPM = 200;
    /** Lowest pitch drawn. */
    public static final int MIN_PITCH = 30;
    /** Highest pitch drawn. */
    public static final int MAX_PITCH = 70;

    private final List<Voice> train;
    private final List<Voice> heldout;

    private VoiceCatalog(List<Voice> voices, double heldoutFraction) {
        if (!(heldoutFraction > 0.0 && heldoutFraction < 1.0)) {
            throw new IllegalArgumentException("heldoutFraction must be in (0, 1), got " + heldoutFraction);
        }
        List<Voice> tr = new ArrayList<>();
        List<Voice> ho = new ArrayList<>();
        for (Voice v : voices) {
            (StableHash.unit("voice:" + v.espeakName()) < heldoutFraction ? ho : tr).add(v);
        }
        if (tr.isEmpty() || ho.isEmpty()) {
            throw new IllegalArgumentException("the voice partition left " + tr.size() + " train and " + ho.size()
                + " heldout voices of " + voices.size() + ": add voices or change the heldout fraction");
        }
        this.train = List.copyOf(tr);
        this.heldout = List.copyOf(ho);
    }

    /** The built-in English accents times variants, {@link #DEFAULT_HELDOUT_FRACTION} held out. */
    public static VoiceCatalog builtIn() {
        return of(BUILT_IN_LANGUAGES, BUILT_IN_VARIANTS, DEFAULT_HELDOUT_FRACTION);
    }

    /** Every combination of {@code languages} and {@code variants}, partitioned by the stable hash. */
    public static VoiceCatalog of(List<String> languages, List<String> variants, double heldoutFraction) {
        List<Voice> voices = new ArrayList<>();
        for (String language : languages) {
            for (String variant : variants) {
                voices.add(new Voice(language, variant));
            }
        }
        return new VoiceCatalog(voices, heldoutFraction);
    }

    /**
     * The English accents and the variants the local espeak-ng lists ({@code --voices=en}, {@code
     * --voices=variant}); depends on the installation, so prefer {@link #builtIn()} for reproducible corpora.
     */
    public static VoiceCatalog installed(EspeakNg espeak, double heldoutFraction) throws IOException {
        Set<String> languages = new TreeSet<>(espeak.installedVoices("en"));
        languages.remove("en"); // an alias of en-gb
        List<String> variants = new ArrayList<>();
        variants.add("");
        variants.addAll(espeak.installedVariants());
        return of(new ArrayList<>(languages), variants, heldoutFraction);
    }

    /** The voices of one split, in catalog order. */
    public List<Voice> voices(Split split) {
        return split == Split.TRAIN ? train : heldout;
    }

    /** The split a voice belongs to. */
    public Split splitOf(Voice voice) {
        if (heldout.contains(voice)) {
            return Split.HELDOUT;
        }
        if (train.contains(voice)) {
            return Split.TRAIN;
        }
        throw new IllegalArgumentException("voice " + voice + " is not in this catalog");
    }

    /** A uniformly drawn voice of {@code split} with a uniform rate and pitch (bounds inclusive). */
    public VoiceSettings sample(RandomGenerator rng, Split split) {
        List<Voice> pool = voices(split);
        Voice v = pool.get(rng.nextInt(pool.size()));
        int rate = MIN_RATE_WPM + rng.nextInt(MAX_RATE_WPM - MIN_RATE_WPM + 1);
        int pitch = MIN_PITCH + rng.nextInt(MAX_PITCH - MIN_PITCH + 1);
        return new VoiceSettings(v, rate, pitch);
    }

    /**
     * Checks that the local espeak-ng has every accent and variant of this catalog.
     *
     * @throws SynthToolMissingException naming the missing ones
     */
    public void checkInstalled(EspeakNg espeak) throws IOException {
        Set<String> languages = espeak.installedVoices("en");
        Set<String> variants = espeak.installedVariants();
        Set<String> missing = new TreeSet<>();
        for (List<Voice> pool : List.of(train, heldout)) {
            for (Voice v : pool) {
                if (!languages.contains(v.language())) {
                    missing.add(v.language());
                }
                if (!v.variant().isEmpty() && !variants.contains(v.variant())) {
                    missing.add("+" + v.variant());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new SynthToolMissingException("espeak-ng " + espeak.version() + " lacks voices " + missing
                + " (a fuller espeak-ng-data is needed)", null);
        }
    }
}
