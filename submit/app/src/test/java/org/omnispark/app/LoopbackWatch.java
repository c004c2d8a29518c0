package org.omnispark.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Watches, on Linux, the listening TCP sockets of this JVM and every process it started (the YARN containers the
 * in-process NodeManager launches, spark-submit and the driver it runs): every few hundred milliseconds it maps the
 * socket inodes in {@code /proc/PID/fd} to the LISTEN entries of {@code /proc/net/tcp} and {@code /proc/net/tcp6}, and
 * records any bound to an address that is not loopback (0.0.0.0, ::, or a real interface). A sampler: a socket that
 * listens for less than one period can slip through.
 */
final class LoopbackWatch implements AutoCloseable {
    private final Thread thread;
    private final Set<String> violations = java.util.Collections.synchronizedSet(new TreeSet<>());
    private final Set<String> seen = java.util.Collections.synchronizedSet(new TreeSet<>());
    private final Set<String> kinds = java.util.Collections.synchronizedSet(new TreeSet<>());
    private volatile boolean running = true;
    private volatile int samples;

    private LoopbackWatch(long periodMs) {
        thread = new Thread(() -> {
            while (running) {
                try {
                    sample();
                    samples++;
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    // a process that ended while being read; the next sample goes on
                }
            }
        }, "loopback-watch");
        thread.setDaemon(true);
    }

    /** Whether this system has the /proc files the watch reads. */
    static boolean supported() {
        return Files.isReadable(Path.of("/proc/net/tcp")) && Files.isDirectory(Path.of("/proc/self/fd"));
    }

    static LoopbackWatch start(long periodMs) {
        LoopbackWatch w = new LoopbackWatch(periodMs);
        w.thread.start();
        return w;
    }

    /** "PID COMMAND listens on ADDRESS:PORT" for each listening socket seen on a non-loopback address. */
    List<String> violations() {
        synchronized (violations) {
            return new ArrayList<>(violations);
        }
    }

    /** How many listening sockets (address:port of a process) were seen in all; a sanity check that it watches. */
    int listeningSocketsSeen() {
        return seen.size();
    }

    /**
     * The kinds of process seen listening: "test JVM" (HDFS and YARN's daemons), and for the others the simple name
     * of their main class (SparkSubmit, ExecutorLauncher, ApplicationMaster, YarnCoarseGrainedExecutorBackend).
     */
    Set<String> listeningProcessKinds() {
        synchronized (kinds) {
            return new TreeSet<>(kinds);
        }
    }

    int samples() {
        return samples;
    }

    private void sample() throws IOException {
        Map<String, Long> inodeToPid = new HashMap<>();
        List<ProcessHandle> processes = new ArrayList<>();
        processes.add(ProcessHandle.current());
        ProcessHandle.current().descendants().forEach(processes::add);
        for (ProcessHandle p : processes) {
            Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
            try (Stream<Path> list = Files.list(fds)) {
                for (Path fd : list.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodeToPid.put(target.substring(8, target.length() - 1), p.pid());
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[3].equals("0A")) { // 0A: LISTEN
                    continue;
                }
                Long pid = inodeToPid.get(f[9]);
                if (pid == null) {
                    continue;
                }
                String local = f[1];
                String address = decode(local.substring(0, local.indexOf(':')));
                int port = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                String what = pid + " " + command(pid) + " listens on " + address + ":" + port;
                seen.add(pid + " " + address + ":" + port);
                kinds.add(kind(pid));
                if (!isLoopback(address)) {
                    violations.add(what);
                }
            }
        }
    }

    /**
     * "test JVM" for this process, else the simple name of a JVM's main class (SparkSubmit, ExecutorLauncher,
     * ApplicationMaster, YarnCoarseGrainedExecutorBackend, ...) or the program's name.
     */
    private static String kind(long pid) {
        if (pid == ProcessHandle.current().pid()) {
            return "test JVM";
        }
        String[] args;
        try { // the whole command line (ProcessHandle.Info may cut a long one, e.g. a JVM's -cp)
            args = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).split("\0");
        } catch (IOException e) {
            return "gone";
        }
        if (args.length == 0 || args[0].isEmpty()) {
            return "?";
        }
        String program = Path.of(args[0]).getFileName().toString();
        if (!program.equals("java")) {
            return program;
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
                i++;
            } else if (!a.startsWith("-")) {
                return a.substring(a.lastIndexOf('.') + 1);
            }
        }
        return "java";
    }

    private static String command(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine())
                .map(c -> c.length() > 160 ? c.substring(0, 160) + "..." : c).orElse("?");
    }

    /** /proc/net/tcp's hex address: IPv4 as one little-endian word, IPv6 as four. */
    static String decode(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = word * 8 + (3 - b) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return java.net.InetAddress.getByAddress(bytes).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return hex;
        }
    }

    static boolean isLoopback(String address) {
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(address);
            if (a.isLoopbackAddress()) {
                return true;
            }
            // ::ffff:127.x.x.x (an IPv4 loopback socket in the IPv6 table); Java folds it into Inet4Address
            return a instanceof java.net.Inet6Address && address.startsWith("::ffff:127.");
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
