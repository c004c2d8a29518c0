package org.omnispark.expertparallel;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.omnispark.expertparallel.transport.MeshOptions;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.WireDtype;
import org.omnispark.trainer.RepeatSpread;

/**
 * Throughput of the exchange between rank PROCESSES on loopback, against raw TCP between the same processes in the
 * same run: the parent starts N child JVMs; each opens the OmniSpark mesh and a plain socket mesh, then for each size
 * runs (a) raw: every rank writes S bytes to and reads S bytes from every peer at once over plain blocking sockets;
 * (b) all-to-all: {@code MeshProcessGroup.allToAll} of float32 rows, S bytes to every peer (Arrow IPC frames,
 * straight from and into tensor memory); (c) all-reduce of an S-byte float32 buffer (the ring a step at a time, the default), reported as bus
 * bandwidth {@code 2 (N-1)/N * S / t}, against one raw stream's bandwidth (rank 0 writes, rank 1 reads, timed until
 * rank 1 has the bytes); (e) the same all-reduce by the pipelined ring in 1 MiB pieces ({@code
 * expert_parallel.ring_piece_kb: 1024}), against (c). Every figure is the slowest rank's time per repeat (a collective costs what its last rank costs), reported
 * as min / median / max over the repeats; raw buffers are reused on both sides.
 *
 * <p>With {@code --wire-dtype bfloat16} the mesh sends rows and chunks as bfloat16 ({@code
 * expert_parallel.wire_dtype}): S is still the float32 bytes exchanged, so the rates are effective float32 rates
 * (half the bytes travel), against raw TCP moving all S bytes.
 *
 * <pre>
 *   java -cp CLASSPATH org.omnispark.expertparallel.ExchangeBenchmark [--wire-dtype float32|bfloat16] \
 *       RANKS REPEATS SIZE_KB...
 *   e.g. ... ExchangeBenchmark 2 15 64 1024 4096 16384
 *   java -Domnispark.bench.tls=true ...   the mesh over mutual TLS 1.3 (stores made with keytool at start)
 *   ... ExchangeBenchmark --fixed-cost 2 5    the fixed cost of one exchange, taken apart (ExchangeFixedCost)
 * </pre>
 */
public final class ExchangeBenchmark {

    /** Cases timed per size and repeat. */
    private static final int CASES = 5;
    /** The pipelined ring's pieces, in KiB. */
    private static final int PIECE_KB = 1024;

    private ExchangeBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args);
            return;
        }
        String wire = "float32";
        boolean fixedCost = args.length > 0 && args[0].equals("--fixed-cost");
        if (fixedCost) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        if (args.length > 1 && args[0].equals("--wire-dtype")) {
            wire = WireDtype.forFloats(args[1]).toString(); // refuses anything else before starting children
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        int ranks = Integer.parseInt(args[0]);
        int repeats = Integer.parseInt(args[1]);
        String[] sizes = Arrays.copyOfRange(args, 2, args.length);
        try (ServerSocket coordinator = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Process> children = new ArrayList<>();
            String javaBin = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            String tlsDir = Boolean.getBoolean("omnispark.bench.tls") ? makeTlsStores() : "";
            for (int r = 0; r < ranks; r++) {
                List<String> command = new ArrayList<>(List.of(javaBin, "-Domnispark.bench.tlsDir=" + tlsDir,
                        "-Domnispark.bench.wireDtype=" + wire, "-Domnispark.bench.fixedCost=" + fixedCost));
                command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> a.startsWith("--add-") || a.startsWith("-XX:+Ignore")).toList());
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), ExchangeBenchmark.class.getName(),
                        "child", Integer.toString(r), Integer.toString(ranks),
                        Integer.toString(coordinator.getLocalPort()), Integer.toString(repeats)));
                command.addAll(List.of(sizes));
                children.add(new ProcessBuilder(command).redirectErrorStream(true).start());
            }
            coordinate(coordinator, ranks, 2); // the mesh, then the raw sockets
            for (int r = 0; r < ranks; r++) {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(children.get(r).getInputStream()))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        if (r == 0 || !line.startsWith("|")) {
                            System.out.println(line);
                        }
                    }
                }
                children.get(r).waitFor();
            }
        }
    }

    private static final char[] TLS_PASSWORD = "benchmark-only".toCharArray();

    /** A job key pair and a trust store holding its certificate, in a temporary folder; returns the folder. */
    private static String makeTlsStores() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("omnispark-bench-tls");
        String keytool = System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool";
        String pw = new String(TLS_PASSWORD);
        for (List<String> args : List.of(
                List.of("-genkeypair", "-alias", "ranks", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                        "CN=bench", "-validity", "2", "-storetype", "PKCS12", "-keystore", "job.p12", "-storepass", pw,
                        "-keypass", pw),
                List.of("-exportcert", "-alias", "ranks", "-keystore", "job.p12", "-file", "job.crt", "-storepass",
                        pw),
                List.of("-importcert", "-noprompt", "-alias", "ranks", "-file", "job.crt", "-storetype", "PKCS12",
                        "-keystore", "trust.p12", "-storepass", pw))) {
            List<String> command = new ArrayList<>(List.of(keytool));
            command.addAll(args);
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + args.get(0) + " failed");
            }
        }
        return dir.toString();
    }

    /** Gathers one endpoint from every child per round and sends every child the full list. */
    private static void coordinate(ServerSocket coordinator, int ranks, int rounds) throws Exception {
        for (int round = 0; round < rounds; round++) {
            Socket[] sockets = new Socket[ranks];
            String[] endpoints = new String[ranks];
            for (int i = 0; i < ranks; i++) {
                Socket s = coordinator.accept();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int rank = in.readInt();
                sockets[rank] = s;
                endpoints[rank] = in.readUTF();
            }
            for (Socket s : sockets) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeUTF(String.join(",", endpoints));
                out.flush();
                s.close();
            }
        }
    }

    private static UnaryOperator<List<String>> rendezvous(int rank, int port) {
        return mine -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(rank);
                out.writeUTF(mine.get(0));
                out.flush();
                return List.of(new DataInputStream(s.getInputStream()).readUTF().split(","));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static void child(String[] args) throws Exception {
        int rank = Integer.parseInt(args[1]);
        int ranks = Integer.parseInt(args[2]);
        int port = Integer.parseInt(args[3]);
        int repeats = Integer.parseInt(args[4]);
        Engine.getEngine("PyTorch");
        JniUtils.setGradMode(false);
        String tlsDir = System.getProperty("omnispark.bench.tlsDir", "");
        javax.net.ssl.SSLContext tls = tlsDir.isEmpty() ? null : org.omnispark.expertparallel.transport.MeshTls.context(
                java.nio.file.Path.of(tlsDir, "job.p12"), TLS_PASSWORD, java.nio.file.Path.of(tlsDir, "trust.p12"),
                TLS_PASSWORD);
        WireDtype wire = WireDtype.forFloats(System.getProperty("omnispark.bench.wireDtype", "float32"));
        if (rank == 0) {
            System.out.println((tls == null ? "mesh: plain TCP" : "mesh: mutual TLS 1.3 (" + tls.getProtocol() + ")")
                    + ", " + wire + " on the wire, GLIBC_TUNABLES=" + System.getenv("GLIBC_TUNABLES")
                    + " (the launcher sets glibc.malloc.hugetlb=1 for training; submit/bench.sh too)");
        }
        try (PeerMesh mesh = PeerMesh.open(rank, ranks, "127.0.0.1",
                PeerMesh.attemptKey("benchmark".getBytes(), 0), rendezvous(rank, port),
                MeshOptions.of(120_000).withTls(tls).withWireDtype(wire));
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            SocketChannel[] raw = rawMesh(rank, ranks, port);
            MeshProcessGroup world = new MeshProcessGroup(mesh, IntStream.range(0, ranks).toArray(), "world",
                    new CommunicationClock());
            // the pipelined ring (expert_parallel.ring_piece_kb = 1024), against world's default, a step at a time
            MeshProcessGroup pieces = new MeshProcessGroup(mesh, IntStream.range(0, ranks).toArray(), "pieces",
                    new CommunicationClock()).withPieceFloats(PIECE_KB * 256L);
            ExecutorService pool = Executors.newFixedThreadPool(2 * ranks);
            if (Boolean.getBoolean("omnispark.bench.fixedCost")) {
                ExchangeFixedCost.run(rank, ranks, repeats, world, raw, pool, m); // then the sizes, if any
            }
            if (rank == 0 && args.length > 5) {
                System.out.println("Every figure is the SLOWEST rank's per repeat (a collective costs what its last rank"
                        + " costs), min / median / max over the repeats; the five cases run interleaved in each repeat;"
                        + " ratios are paired per repeat.");
                System.out.println("| bytes per peer | raw TCP, all pairs (GB/s per rank) | all-to-all (GB/s per rank) "
                        + "| all-to-all / raw | all-reduce bus bandwidth (GB/s) | raw TCP, one stream (GB/s) "
                        + "| all-reduce / one stream | all-reduce in " + PIECE_KB + " KiB pieces (GB/s) "
                        + "| pieces / step at a time |");
                System.out.println("|---|---|---|---|---|---|---|---|---|");
            }
            for (int a = 5; a < args.length; a++) {
                long bytes = Long.parseLong(args[a]) * 1024;
                int columns = 256;
                long rowsPerPeer = bytes / (columns * 4L);
                long[] splits = new long[ranks];
                Arrays.fill(splits, rowsPerPeer);
                NDArray rows = m.randomUniform(0, 1, new Shape(rowsPerPeer * ranks, columns), DataType.FLOAT32);
                NDArray reduce = m.randomUniform(0, 1, new Shape(bytes / 4), DataType.FLOAT32);
                ByteBuffer send = ByteBuffer.allocateDirect((int) bytes);
                ByteBuffer[] receive = new ByteBuffer[ranks];
                for (int q = 0; q < ranks; q++) {
                    receive[q] = ByteBuffer.allocateDirect((int) bytes);
                }
                long[] nanos = new long[CASES * repeats]; // per repeat: raw all pairs, all-to-all, all-reduce, raw one, pieces
                for (int i = -20; i < repeats; i++) { // 20 warm-up rounds
                    world.allGather(new long[] {i}, "sync");
                    long t0 = System.nanoTime();
                    rawExchange(pool, raw, rank, ranks, send, receive, false);
                    long t1 = System.nanoTime();
                    world.allGather(new long[] {i}, "sync");
                    long t2 = System.nanoTime();
                    world.allToAll(rows, splits, splits, "benchmark").close();
                    long t3 = System.nanoTime();
                    world.allGather(new long[] {i}, "sync");
                    long t4 = System.nanoTime();
                    world.allReduceSum(reduce, "benchmark");
                    long t5 = System.nanoTime();
                    world.allGather(new long[] {i}, "sync");
                    long t6 = System.nanoTime();
                    rawExchange(pool, raw, rank, ranks, send, receive, true);
                    long t7 = System.nanoTime();
                    world.allGather(new long[] {i}, "sync");
                    long t8 = System.nanoTime();
                    pieces.allReduceSum(reduce, "benchmark");
                    long t9 = System.nanoTime();
                    if (i >= 0) {
                        nanos[CASES * i] = t1 - t0;
                        nanos[CASES * i + 1] = t3 - t2;
                        nanos[CASES * i + 2] = t5 - t4;
                        nanos[CASES * i + 3] = t7 - t6;
                        nanos[CASES * i + 4] = t9 - t8;
                    }
                }
                long[] everyRank = world.allGather(nanos, "timings"); // rank r's array at [r * CASES * repeats, ...)
                if (rank == 0) {
                    double[] rawAll = new double[repeats];
                    double[] a2a = new double[repeats];
                    double[] allReduce = new double[repeats];
                    double[] rawOne = new double[repeats];
                    double[] piecesReduce = new double[repeats];
                    for (int i = 0; i < repeats; i++) {
                        rawAll[i] = (ranks - 1) * bytes / (slowest(everyRank, ranks, repeats, i, 0) / 1e9) / 1e9;
                        a2a[i] = (ranks - 1) * bytes / (slowest(everyRank, ranks, repeats, i, 1) / 1e9) / 1e9;
                        allReduce[i] = 2.0 * (ranks - 1) / ranks * bytes
                                / (slowest(everyRank, ranks, repeats, i, 2) / 1e9) / 1e9;
                        rawOne[i] = bytes / (slowest(everyRank, ranks, repeats, i, 3) / 1e9) / 1e9;
                        piecesReduce[i] = 2.0 * (ranks - 1) / ranks * bytes
                                / (slowest(everyRank, ranks, repeats, i, 4) / 1e9) / 1e9;
                    }
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | **%s** | %s | %s | **%s** | %s | %s |%n", human(bytes),
                            spread(rawAll), spread(a2a), spread(RepeatSpread.ratios(a2a, rawAll)), spread(allReduce),
                            spread(rawOne), spread(RepeatSpread.ratios(allReduce, rawOne)), spread(piecesReduce),
                            spread(RepeatSpread.ratios(piecesReduce, allReduce)));
                }
            }
            pool.shutdownNow();
            for (SocketChannel c : raw) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** All pairs at once (or, with oneStream, rank 0 to rank 1 only), S bytes each way, two threads per peer. */
    static void rawExchange(ExecutorService pool, SocketChannel[] raw, int rank, int ranks, ByteBuffer send,
            ByteBuffer[] receive, boolean oneStream) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (int q = 0; q < ranks; q++) {
            if (q == rank || (oneStream && !(rank <= 1 && q <= 1))) {
                continue;
            }
            SocketChannel c = raw[q];
            ByteBuffer out = send.duplicate();
            ByteBuffer in = receive[q].duplicate();
            boolean write = !oneStream || rank == 0;
            boolean read = !oneStream || rank == 1;
            if (write) {
                futures.add(pool.submit(() -> {
                    while (out.hasRemaining()) {
                        c.write(out);
                    }
                    return null;
                }));
            }
            if (read) {
                futures.add(pool.submit(() -> {
                    while (in.hasRemaining()) {
                        if (c.read(in) < 0) {
                            throw new IllegalStateException("closed");
                        }
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : futures) {
            f.get();
        }
    }

    private static SocketChannel[] rawMesh(int rank, int ranks, int port) throws Exception {
        SocketChannel[] channels = new SocketChannel[ranks];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String mine = "127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
            List<String> all = rendezvous(rank, port).apply(List.of(mine));
            for (int q = rank + 1; q < ranks; q++) {
                String[] hp = all.get(q).split(":");
                SocketChannel c = SocketChannel.open(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
                c.write(ByteBuffer.allocate(4).putInt(0, rank));
                channels[q] = c;
            }
            for (int i = 0; i < rank; i++) {
                SocketChannel c = server.accept();
                ByteBuffer who = ByteBuffer.allocate(4);
                while (who.hasRemaining()) {
                    c.read(who);
                }
                channels[who.getInt(0)] = c;
            }
        }
        for (SocketChannel c : channels) {
            if (c != null) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
                c.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            }
        }
        return channels;
    }

    /**
     * The slowest rank's nanoseconds for one case of one repeat. Raw one-stream: rank 1 reads what rank 0 writes, so
     * its time (until the reader has the bytes) is the one that counts; the other ranks take no part.
     */
    private static long slowest(long[] everyRank, int ranks, int repeats, int repeat, int kase) {
        long max = 0;
        for (int r = 0; r < ranks; r++) {
            if (kase == 3 && r > 1) {
                continue;
            }
            max = Math.max(max, everyRank[r * CASES * repeats + CASES * repeat + kase]);
        }
        return max;
    }

    private static String spread(double[] values) {
        return RepeatSpread.of(values, "%.2f");
    }

    private static String human(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
