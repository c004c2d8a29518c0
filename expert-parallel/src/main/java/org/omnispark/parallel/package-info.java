/**
 * Expert parallelism over a Spark barrier stage (planned: the distributed TokenDispatcher and the Arrow Flight
 * all-to-all). Depends on the trainer's Router / TokenDispatcher / Experts interfaces, never the reverse.
 */
package org.omnispark.parallel;
