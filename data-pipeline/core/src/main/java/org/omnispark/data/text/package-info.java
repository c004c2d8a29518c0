/**
 * Transcript text for training: normalization ({@link org.omnispark.data.text.TextNormalizer}) and tokenization
 * into ids with WeNet's conventions ({@link org.omnispark.data.text.Tokenizer}: id 0 {@code <blank>}, id 1
 * {@code <unk>}, last id {@code <sos/eos>}, vocabulary in units.txt). Two tokenizers: characters
 * ({@link org.omnispark.data.text.CharTokenizer}) and SentencePiece models
 * ({@link org.omnispark.data.text.SentencePieceTokenizer}, UNIGRAM and BPE, read from spm_train's .model files
 * without a native library, encoding exactly as spm_encode does; BPE models can be trained in Java with
 * {@link org.omnispark.data.text.BpeTrainer}). Load a saved tokenizer with
 * {@link org.omnispark.data.text.Tokenizers#load(java.nio.file.Path)}.
 */
package org.omnispark.data.text;
