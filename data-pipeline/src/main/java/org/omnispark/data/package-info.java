/** OmniSpark's data pipeline: pseudo-labeled audio corpora to Parquet shards of fbank features and token ids. */
package org.omnispark.data;
