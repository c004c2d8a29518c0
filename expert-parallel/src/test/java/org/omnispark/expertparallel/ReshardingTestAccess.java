package org.omnispark.expertparallel;

import org.apache.hadoop.conf.Configuration;

/** Lets tests in other packages run {@link ReshardingTest}'s hops on another file system. */
public final class ReshardingTestAccess {

    private ReshardingTestAccess() {}

    /**
     * @param base a folder on any Hadoop file system
     * @param conf its configuration
     */
    public static void fourToTwoToOneToTwo(org.apache.hadoop.fs.Path base, Configuration conf) throws Exception {
        ReshardingTest.fourToTwoToOneToTwo(base, conf);
    }
}
