/**
 * Kaldi-compatible acoustic features.
 *
 * <p>{@link org.omnispark.data.features.FbankOptions} holds every option of a log-mel filterbank (stored with
 * the data through {@code toMap()} / {@code fromMap()}); {@link org.omnispark.data.features.Fbank} computes
 * the features of one utterance, one instance per thread. {@link org.omnispark.data.features.RealFft} and
 * {@link org.omnispark.data.features.MelBanks} are the building blocks (a radix-4 real FFT for power-of-two
 * sizes, a direct DFT otherwise; sparse triangular filters). Agreement with
 * {@code torchaudio.compliance.kaldi.fbank} is checked against golden files made by
 * {@code data-pipeline/src/test/python/make_fbank_golden.py}.
 */
package org.omnispark.data.features;
