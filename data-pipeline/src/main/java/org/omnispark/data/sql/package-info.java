/** SQL functions over audio bytes and text, for SQL, PySpark and Scala notebooks. */
package org.omnispark.data.sql;
