/**
 * Exporting trained models for other toolkits: {@link org.omnispark.trainer.export.SafetensorsExport} writes
 * safetensors with WeNet's parameter names ({@code omnispark export}).
 */
package org.omnispark.trainer.export;
