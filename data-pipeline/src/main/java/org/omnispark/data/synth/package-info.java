/**
 * A real speech corpus generator: sentences from a small English grammar ({@link
 * org.omnispark.data.synth.SentenceGrammar}), spoken by espeak-ng voices ({@link
 * org.omnispark.data.synth.VoiceCatalog}), optionally converted to other formats with sox, mixed with noise,
 * given corrupted pseudo-labels or damaged audio on purpose ({@link org.omnispark.data.synth.CorpusSynthesizer}).
 *
 * <p>Output layout of a corpus folder {@code DIR}:
 * <ul>
 *   <li>{@code DIR/audio/<key>.wav|.flac|.ogg}: the audio of each row (damaged rows may lack it);</li>
 *   <li>{@code DIR/manifest.jsonl}: what the data pipeline reads, one JSON object per line sorted by key,
 *       fields {@code key, audio_filepath, text, confidence, duration, speaker, language}; paths are relative to
 *       {@code DIR} unless asked otherwise;</li>
 *   <li>{@code DIR/truth.jsonl}: the ground truth of each row (true text, voice, format, noise, label corruption,
 *       audio damage and the reject reason the pipeline is expected to give), for exact accounting in tests.</li>
 * </ul>
 * Out-of-domain evaluation sets ({@link org.omnispark.data.synth.OodSetMaker}, {@code omnispark ood-sets}) are made
 * from an in-domain set: a second synthesizer ({@link org.omnispark.data.synth.Flite}), Gaussian noise at a chosen
 * SNR, sox tempo and reverb.
 *
 * <p>Everything is a pure function of the seed and the options: the same seed gives the same manifest bytes and the
 * same audio bytes (espeak-ng and sox -R are deterministic for the same arguments).
 */
package org.omnispark.data.synth;
