package org.omnispark.data.audio;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.omnispark.data.Deadline;
import org.omnispark.data.RejectReason;

/**
 * Decodes what no Java decoder available here reads (Vorbis, in Ogg or WebM) by running ffmpeg on it, with the
 * guarantees of OmniSpark's in-process decoders (configured by {@code audio.external_decoder}: "ffmpeg", a path to an
 * ffmpeg binary, or "none" to reject such files):
 * <ul>
 *   <li>time: ffmpeg is waited for only until the {@link DecodeLimits} deadline (at most {@value #MAX_SECONDS} s when
 *       there is none), then killed (destroyForcibly) and reaped; its CPU time is capped too (ulimit -t);</li>
 *   <li>memory: at most the bytes of limits.maxSeconds() of audio are read from its stdout (then it is killed and the
 *       file is TOO_LONG), and its address space is capped at {@value #ADDRESS_SPACE_KB} KiB (ulimit -v, through
 *       /bin/sh where there is one and where the shell can set it);</li>
 *   <li>no hang: the file goes to ffmpeg's stdin from a writer thread this decoder owns, stdout and stderr are drained
 *       by two more, and every wait (the process, each thread) has a timeout whose failure names what was awaited;</li>
 *   <li>rejects: UNSUPPORTED_AUDIO when the decoder is "none" or the binary is not installed, CORRUPT_AUDIO with
 *       ffmpeg's last stderr line when it exits non-zero or reports an error (it runs with -loglevel error), or
 *       decodes nothing.</li>
 * </ul>
 * ffmpeg is asked for 32-bit float samples (f32le) at the file's own rate and channel count, which the caller reads
 * from the codec's header; the mono mixdown (the mean over channels) is done here as for the other codecs.
 *
 * <p>Immutable and thread-safe; each decode starts its own process.
 */
public final class ExternalDecoder implements Serializable {
    /** No external decoder: files that need one are UNSUPPORTED_AUDIO rejects. */
    public static final ExternalDecoder NONE = new ExternalDecoder("none");
    /** ffmpeg from the PATH (the default of audio.external_decoder). */
    public static final ExternalDecoder FFMPEG = new ExternalDecoder("ffmpeg");
    /** The longest ffmpeg may run when the decode has no deadline. */
    static final int MAX_SECONDS = 300;
    /** ffmpeg's address space cap: its shared libraries alone map about 400 MiB. */
    static final long ADDRESS_SPACE_KB = 2L << 20;
    private static final long JOIN_MILLIS = 5000;
    private static final long serialVersionUID = 1L;

    private final String command;

    /**
     * @param command "none", "ffmpeg" (looked up on the PATH) or a path to an ffmpeg binary
     * @throws IllegalArgumentException when it is blank
     */
    public ExternalDecoder(String command) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("the external decoder must be 'ffmpeg', a path to ffmpeg, or 'none'");
        }
        this.command = command.strip();
    }

    /** What the decoder was configured with. */
    public String command() {
        return command;
    }

    /** Whether external decoding is switched off. */
    public boolean off() {
        return command.equals("none");
    }

    /**
     * Decodes a whole file with ffmpeg to mono floats.
     *
     * @param data the file's bytes
     * @param what the format, for messages ("Ogg Vorbis")
     * @param rate the file's sample rate (from its header)
     * @param channels its channel count (from its header)
     * @param maxFrames the most frames to keep: a file with more is cut off here and ffmpeg killed; the result then
     *     has {@code maxFrames + 1} frames, which the caller turns into a TOO_LONG reject
     * @throws Deadline.Exceeded when the deadline passes first (ffmpeg is killed)
     */
    Audio decode(byte[] data, String name, String what, int rate, int channels, long maxFrames, Deadline deadline)
            throws AudioFormatException {
        String hint = "convert it first: ffmpeg -i " + (what.contains("WebM") ? "in.webm" : "in.ogg")
                + " -ar 16000 -ac 1 out.wav";
        if (off()) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": " + what + " needs an external"
                    + " decoder, and audio.external_decoder is 'none'; set it to ffmpeg (installed on every"
                    + " executor), or " + hint);
        }
        String binary = resolve(command);
        if (binary == null) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": " + what + " is decoded by an"
                    + " external ffmpeg (audio.external_decoder: " + command + "), which is not installed here ("
                    + (command.contains("/") ? "no executable file " + command : "not on the PATH") + "); install"
                    + " ffmpeg on every executor (apt-get install ffmpeg) or set audio.external_decoder to its path,"
                    + " or " + hint);
        }
        deadline.check();
        long budget = Math.min(deadline.remainingNanos(), TimeUnit.SECONDS.toNanos(MAX_SECONDS));
        long maxBytes = Math.min(Integer.MAX_VALUE - 16, (maxFrames + 1) * 4L * channels);
        Process process;
        try {
            process = new ProcessBuilder(commandLine(binary, budget)).start();
        } catch (IOException e) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": " + what + " needs ffmpeg ("
                    + binary + "), which cannot be started (" + e.getMessage() + "); install ffmpeg on every"
                    + " executor, or " + hint, e);
        }
        Drain out = new Drain(process.getInputStream(), maxBytes, false, process);
        Drain err = new Drain(process.getErrorStream(), 4096, true, process);
        Thread writer = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(data);
            } catch (IOException e) {
                // ffmpeg stopped reading (it failed, or was killed): its exit status and stderr say why
            }
        }, "ffmpeg stdin of " + name);
        Thread[] threads = {writer, new Thread(out, "ffmpeg stdout of " + name),
            new Thread(err, "ffmpeg stderr of " + name)};
        boolean finished = false;
        try {
            for (Thread t : threads) {
                t.setDaemon(true);
                t.start();
            }
            finished = process.waitFor(budget, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!finished) {
                // only a process that is still running: destroyForcibly also closes the streams, even after an exit,
                // and the drains would lose what they had not read yet (stderr's last line: the reason)
                process.destroyForcibly();
            }
        }
        reap(process, threads, name);
        if (!finished) {
            deadline.check();
            throw new Deadline.Exceeded(name + ": ffmpeg did not finish decoding " + what + " within "
                    + TimeUnit.NANOSECONDS.toSeconds(budget) + " s and was killed");
        }
        byte[] pcm = out.bytes();
        if (out.full()) {
            return mono(pcm, rate, channels); // maxFrames + 1 frames: the caller rejects it as TOO_LONG
        }
        String stderr = err.text().strip();
        if (process.exitValue() != 0 || !stderr.isEmpty()) {
            String last = stderr.isEmpty() ? "no message" : stderr.substring(stderr.lastIndexOf('\n') + 1);
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": ffmpeg cannot decode this " + what
                    + " file (exit status " + process.exitValue() + ": " + last + "); re-copy or re-encode it");
        }
        if (pcm.length < 4 * channels) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": ffmpeg decoded no samples from this "
                    + what + " file; re-copy or re-encode it");
        }
        return mono(pcm, rate, channels);
    }

    /** Waits, with timeouts, for the killed or finished process and the three threads that served it. */
    private static void reap(Process process, Thread[] threads, String name) {
        try {
            if (!process.waitFor(JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("ffmpeg (pid " + process.pid() + ") decoding " + name + " did not"
                        + " exit within " + JOIN_MILLIS + " ms of being killed");
            }
            for (Thread t : threads) {
                t.join(JOIN_MILLIS);
                if (t.isAlive()) {
                    throw new IllegalStateException("the thread '" + t.getName() + "' did not end within "
                            + JOIN_MILLIS + " ms of ffmpeg's exit");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ffmpeg decoding " + name, e);
        }
    }

    private List<String> commandLine(String binary, long budgetNanos) {
        List<String> ffmpeg = List.of(binary, "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
                "-i", "pipe:0", "-map", "0:a:0", "-vn", "-sn", "-dn", "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1");
        if (!new File("/bin/sh").canExecute()) {
            return ffmpeg;
        }
        long cpuSeconds = TimeUnit.NANOSECONDS.toSeconds(budgetNanos) + 1;
        // a limit the shell cannot set is skipped rather than failing the decode; exec keeps ffmpeg at this pid
        List<String> limited = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -v " + ADDRESS_SPACE_KB
                + " 2>/dev/null; ulimit -t " + cpuSeconds + " 2>/dev/null; exec \"$@\"", "ffmpeg"));
        limited.addAll(ffmpeg);
        return limited;
    }

    /** The binary to run: the command itself when it is a path, else the first match on the PATH; null if none. */
    static String resolve(String command) {
        if (command.contains(File.separator)) {
            return new File(command).canExecute() ? command : null;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, command);
                if (f.isFile() && f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }

    private static Audio mono(byte[] pcm, int rate, int channels) {
        ByteBuffer b = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[pcm.length / 4 / channels];
        for (int i = 0; i < out.length; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += b.getFloat();
            }
            out[i] = sum / channels;
        }
        return new Audio(out, rate);
    }

    /**
     * Reads a stream to its end, keeping at most {@code max} bytes: the first ones (stdout: when full, the process
     * is killed, it has produced more than may be kept) or the last ones (stderr: its last line says what failed).
     */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final long max;
        private final boolean keepLast;
        private final Process process;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private volatile boolean full;

        Drain(InputStream in, long max, boolean keepLast, Process process) {
            this.in = in;
            this.max = max;
            this.keepLast = keepLast;
            this.process = process;
        }

        @Override
        public void run() {
            byte[] buf = new byte[65536];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0;) {
                    synchronized (this) {
                        if (keepLast) {
                            kept.write(buf, 0, n);
                            if (kept.size() > max) {
                                byte[] all = kept.toByteArray();
                                kept.reset();
                                kept.write(all, all.length - (int) max, (int) max);
                            }
                            continue;
                        }
                        int take = (int) Math.min(n, max - kept.size());
                        kept.write(buf, 0, take);
                        if (kept.size() >= max) {
                            full = true;
                            process.destroyForcibly();
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // the process was killed: the pipe closed under the read
            }
        }

        boolean full() {
            return full;
        }

        synchronized byte[] bytes() {
            return kept.toByteArray();
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
