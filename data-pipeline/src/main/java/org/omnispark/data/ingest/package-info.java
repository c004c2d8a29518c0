/**
 * Input manifests: JSON lines (OmniSpark, WeNet and NeMo field names), Kaldi data directories, Lhotse manifests and
 * tar shards (WeNet, WebDataset: {@link org.omnispark.data.ingest.TarIndex}, audio named by
 * {@link org.omnispark.data.ingest.TarMember} references), read on Spark into
 * {@link org.omnispark.data.ingest.ParsedLine}s that keep their file and line for the rejects table.
 */
package org.omnispark.data.ingest;
