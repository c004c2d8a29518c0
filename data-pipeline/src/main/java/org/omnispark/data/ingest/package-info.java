/**
 * Input manifests: JSON lines (OmniSpark, WeNet and NeMo field names) and Kaldi data directories, read on Spark
 * into {@link org.omnispark.data.ingest.ParsedLine}s that keep their file and line for the rejects table.
 */
package org.omnispark.data.ingest;
