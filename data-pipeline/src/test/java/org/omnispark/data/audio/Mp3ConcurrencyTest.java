package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * JLayer fills static tables lazily in its constructors (huffcodetab.inithuff, LayerIIIDecoder's reorder table,
 * SynthesisFilter's window), without synchronization: two Spark tasks starting their first MP3 at once saw half-built
 * tables (a NullPointerException, reported as a CORRUPT_AUDIO reject of a valid file). Each round loads the decoder
 * in a fresh class loader, so JLayer's statics start empty, and decodes the same file on 8 threads released together;
 * every thread must get the whole file.
 */
class Mp3ConcurrencyTest {
    @Test
    void firstDecodesOnManyThreadsAtOnceAllSucceed() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        byte[] mp3 = Mp3Fixtures.mp3("b_22k_stereo_cbr64");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                try (URLClassLoader fresh = new URLClassLoader(urls.toArray(URL[]::new),
                        ClassLoader.getPlatformClassLoader())) {
                    Class<?> decoder = fresh.loadClass(AudioDecoder.class.getName());
                    Method decode = decoder.getMethod("decode", byte[].class, String.class);
                    CyclicBarrier start = new CyclicBarrier(threads);
                    List<Future<Integer>> results = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        Callable<Integer> task = () -> {
                            start.await();
                            Object audio = decode.invoke(null, mp3, "concurrent.mp3");
                            return ((float[]) audio.getClass().getMethod("samples").invoke(audio)).length;
                        };
                        results.add(pool.submit(task));
                    }
                    for (Future<Integer> r : results) {
                        assertEquals(22050, r.get(), "round " + round);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
