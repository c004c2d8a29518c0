package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * Makes the audio file of one planned row: espeak-ng, then optional noise (in Java), then the format conversion
 * (sox, skipped for espeak-ng's native format), then the planned damage.
 */
final class RowRenderer {
    private final EspeakNg espeak;
    private final Sox sox;
    private final Path audioDir;
    private final Path tmpDir;

    /**
     * @param sox null when no planned row needs a conversion
     */
    RowRenderer(EspeakNg espeak, Sox sox, Path audioDir, Path tmpDir) {
        this.espeak = espeak;
        this.sox = sox;
        this.audioDir = audioDir;
        this.tmpDir = tmpDir;
    }

    /** Writes the row's audio and returns the row with the duration of its intact audio. */
    CorpusRow render(CorpusRow row) throws IOException {
        Path raw = tmpDir.resolve(row.key() + ".espeak.wav");
        espeak.synthesize(row.sentence().spokenText(), row.voice(), raw);
        SplittableRandom rng = new SplittableRandom(StableHash.mix64(row.seed() ^ 0x6e6f697365L));
        if (row.noisy()) {
            PcmWav.read(raw).withNoise(row.noiseSnrDb(), rng).write(raw);
        }
        Path intact = audioDir.resolve(row.key() + "." + row.format().extension());
        if (row.format().equals(AudioFileFormat.NATIVE)) {
            Files.move(raw, intact, StandardCopyOption.REPLACE_EXISTING);
        } else {
            if (sox == null) {
                throw new IllegalStateException("row " + row.key() + " needs sox for " + row.format().id());
            }
            sox.convert(raw, intact, row.format());
            Files.delete(raw);
        }
        double seconds = AudioDurations.seconds(intact);
        if (row.damage() != AudioDamage.NONE) {
            PcmWav.read(intact).write(intact); // canonical 44-byte header, which the damage code relies on
            Path target = audioDir.resolve(row.key() + "." + row.damage().extension(row.format().extension()));
            row.damage().apply(intact, target, rng);
        }
        return row.withDuration(seconds);
    }
}
