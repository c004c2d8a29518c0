package org.omnispark.data.job;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code flaky://}, whose {@code open} fails with an IOException a set number
 * of times per file name before it succeeds (or always): a throttled object store or a flaky datanode, on demand.
 * Register with {@code fs.flaky.impl} and {@code fs.flaky.impl.disable.cache=true}. The failures are set in this JVM's
 * {@link #FAILURES}, or by the Hadoop configuration {@code fs.flaky.failures=NAME:COUNT,...} (counted per JVM from its
 * first use: another process, such as a job started with {@code -Dspark.hadoop.fs.flaky.failures=...}, fails as many
 * times again).
 */
public class FlakyFileSystem extends RawLocalFileSystem {
    /** File name -> failures left (negative: fail forever). */
    static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();
    /** File name -> opens attempted. */
    static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();

    @Override
    public void initialize(URI uri, Configuration conf) throws IOException {
        super.initialize(uri, conf);
        for (String spec : conf.getTrimmedStrings("fs.flaky.failures")) {
            int colon = spec.lastIndexOf(':');
            FAILURES.putIfAbsent(spec.substring(0, colon), new AtomicInteger(Integer.parseInt(spec.substring(colon
                    + 1))));
        }
    }

    @Override
    public URI getUri() {
        return URI.create("flaky:///");
    }

    @Override
    public String getScheme() {
        return "flaky";
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        String name = f.getName();
        OPENS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        AtomicInteger left = FAILURES.get(name);
        if (left != null && (left.get() < 0 || left.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0)) {
            throw new IOException("503 Slow Down (injected) reading " + f);
        }
        return super.open(f, bufferSize);
    }
}
