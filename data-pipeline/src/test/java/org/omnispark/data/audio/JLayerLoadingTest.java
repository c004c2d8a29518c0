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
 * How JLayer is loaded. JLayer 1.0.1 fills static tables lazily in constructors (huffcodetab.inithuff,
 * LayerIIIDecoder's reorder table, SynthesisFilter's window), without synchronization, so two Spark tasks starting
 * their first MP3 at once could see half-built tables (read from its source; Mp3Decoder now decodes each file's first
 * frame under a lock). Each round loads the decoder in a fresh class loader, so JLayer's statics start empty, and
 * decodes the same file on 8 threads released together; every thread must get the whole file. (The race window is
 * microseconds: this did not fail without the lock either, so it guards the lock rather than proving the race.) And
 * without JLayer on the classpath (an application jar built without it) an MP3 is a reject saying so, not an Error
 * that fails the task.
 */
class JLayerLoadingTest {
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

    @Test
    void withoutJLayerOnTheClasspathAnMp3IsAnUnsupportedReject() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("jlayer")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader noJLayer = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            Method decode = noJLayer.loadClass(AudioDecoder.class.getName()).getMethod("decode", byte[].class,
                    String.class);
            Throwable thrown = null;
            try {
                decode.invoke(null, Mp3Fixtures.mp3("a_16k_mono_vbr"), "x.mp3");
            } catch (java.lang.reflect.InvocationTargetException e) {
                thrown = e.getCause();
            }
            assertEquals(AudioFormatException.class.getName(), thrown.getClass().getName(), String.valueOf(thrown));
            Object reason = thrown.getClass().getMethod("reason").invoke(thrown);
            assertEquals("UNSUPPORTED_AUDIO", reason.toString());
            org.junit.jupiter.api.Assertions.assertTrue(thrown.getMessage().contains("JLayer (javazoom:jlayer) is not"
                    + " on the classpath"), thrown.getMessage());
        }
    }
}
