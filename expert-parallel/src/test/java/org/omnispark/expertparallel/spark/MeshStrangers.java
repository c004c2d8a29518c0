package org.omnispark.expertparallel.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Strangers on the mesh's ports for a chaos run: while open, a thread keeps up to {@code idle} silent connections and
 * one trickler (the handshake's public magic, then one byte every 2 s) on every port of a range on 127.0.0.1, opening
 * new ones as the ranks' handshake deadlines close them. Ranks listen on the range ({@code spark.omnispark.mesh.ports}),
 * so every rendezvous of the run happens among them. {@link #close} stops the thread, joins it and closes every
 * connection.
 */
final class MeshStrangers implements AutoCloseable {

    /** Handshake.MAGIC, the first thing a connecting rank sends: public, so a stranger can send it too. */
    private static final int MAGIC = 0x4F4C4548;

    private final int first;
    private final int last;
    private final int idle;
    private final List<List<Socket>> open = new ArrayList<>();
    private final List<Socket> tricklers = new ArrayList<>();
    private final long[] lastTrickle;
    private final AtomicLong connected = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    MeshStrangers(int first, int last, int idle) {
        this.first = first;
        this.last = last;
        this.idle = idle;
        for (int p = first; p <= last; p++) {
            open.add(new ArrayList<>());
            tricklers.add(null);
        }
        lastTrickle = new long[last - first + 1];
        thread = new Thread(this::loop, "chaos-mesh-strangers");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the first port of {@code count} consecutive ports that are free on 127.0.0.1 now */
    static int freeRange(int count) throws IOException {
        for (int tries = 0; tries < 200; tries++) {
            int base = 20_000 + (int) (Math.random() * 30_000);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IOException("no " + count + " consecutive free ports on 127.0.0.1 in 20000-50000");
    }

    private static boolean allFree(int base, int count) {
        for (int p = base; p < base + count; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** @return how many connections reached a listening rank so far */
    long connections() {
        return connected.get();
    }

    private void loop() {
        while (!closed) {
            for (int p = first; p <= last && !closed; p++) {
                int i = p - first;
                List<Socket> mine = open.get(i);
                mine.removeIf(MeshStrangers::closedByPeer);
                while (mine.size() < idle) {
                    Socket s = connect(p);
                    if (s == null) {
                        break; // nobody listens on this port now
                    }
                    mine.add(s);
                }
                trickle(i, p);
            }
            sleep(50);
        }
    }

    private void trickle(int i, int port) {
        Socket t = tricklers.get(i);
        long now = System.nanoTime();
        try {
            if (t == null || t.isClosed()) {
                t = connect(port);
                tricklers.set(i, t);
                if (t == null) {
                    return;
                }
                OutputStream out = t.getOutputStream();
                out.write(new byte[] {(byte) (MAGIC >>> 24), (byte) (MAGIC >>> 16), (byte) (MAGIC >>> 8),
                    (byte) MAGIC});
                out.flush();
                lastTrickle[i] = now;
            } else if (now - lastTrickle[i] > 2_000_000_000L) {
                t.getOutputStream().write(0);
                t.getOutputStream().flush();
                lastTrickle[i] = now;
            }
        } catch (IOException e) { // the rank closed it (its deadline): the next round opens another
            closeQuietly(t);
            tricklers.set(i, null);
        }
    }

    private Socket connect(int port) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(1);
            connected.incrementAndGet();
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            return null;
        }
    }

    /** A silent connection the rank has closed reads end-of-stream (or fails); an open one times out. */
    private static boolean closedByPeer(Socket s) {
        try {
            if (s.getInputStream().read() < 0) {
                s.close();
                return true;
            }
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            closeQuietly(s);
            return true;
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(10_000);
        if (thread.isAlive()) {
            throw new IllegalStateException("the strangers' thread did not stop in 10 s");
        }
        open.forEach(l -> l.forEach(MeshStrangers::closeQuietly));
        tricklers.forEach(MeshStrangers::closeQuietly);
    }
}
