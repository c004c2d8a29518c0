/**
 * Audio decoding and resampling: {@link org.omnispark.data.audio.AudioDecoder} turns WAV/FLAC/MP3 bytes into mono
 * {@link org.omnispark.data.audio.Audio} (or an {@link org.omnispark.data.audio.AudioFormatException} carrying the
 * {@link org.omnispark.data.RejectReason}), and {@link org.omnispark.data.audio.Resampler} converts between sample
 * rates with a windowed-sinc polyphase filter and applies speed perturbation.
 */
package org.omnispark.data.audio;
