/** Strict YAML configuration: snake_case keys bound to validated records, unknown keys rejected. */
package org.omnispark.data.config;
