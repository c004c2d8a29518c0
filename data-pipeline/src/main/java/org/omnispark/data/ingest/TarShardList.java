package org.omnispark.data.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which tar files a {@code wenet_tar} or {@code webdataset} input names, qualified, in order: a WeNet
 * {@code data.list} (one tar path or URI per line, relative ones against the list's folder), a single {@code .tar}, a
 * folder of {@code .tar} files (by name), or a brace pattern as WebDataset writes them
 * ({@code shard-{000000..000009}.tar}, {@code {train,dev}.tar}; zero-padded ranges keep their width; NeMo's
 * {@code audio__OP_0..127_CL_.tar} is the same pattern). A NeMo tarred dataset's tars are the {@code audio_N.tar}
 * files beside its manifest, by N ({@link #nemoTars}).
 */
final class TarShardList {

    /** The longest line of a list of tars. */
    static final int MAX_LIST_LINE = 64 << 10;

    /** The most tar paths one pattern may expand to. */
    static final int MAX_EXPANDED = 1_000_000;

    private TarShardList() {
    }

    /** True when the path holds a brace pattern. */
    static boolean isPattern(String p) {
        String b = braces(p);
        return b.contains("{") && b.contains("}");
    }

    /** NeMo writes braces as {@code _OP_} and {@code _CL_} ({@code audio__OP_0..127_CL_.tar}). */
    static String braces(String p) {
        return p.replace("_OP_", "{").replace("_CL_", "}");
    }

    /** True for a tar file's name (the ones read directly rather than as a list). */
    static boolean isTarName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".tar");
    }

    /**
     * The tars of one input: a pattern's expansion, a folder's {@code .tar} files, a {@code .tar} file, or the lines
     * of a list file.
     *
     * @throws IllegalArgumentException when a named tar does not exist or nothing is named, saying what to do
     */
    static List<String> tars(FileSystem fs, String p) throws IOException {
        List<String> out = new ArrayList<>();
        if (isPattern(p)) {
            for (String one : expand(braces(p))) {
                out.add(existing(fs, new Path(one), p));
            }
            return out;
        }
        Path path = new Path(p);
        FileStatus st = fs.getFileStatus(path);
        if (st.isDirectory()) {
            FileStatus[] files = fs.listStatus(path, f -> isTarName(f.getName()));
            Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
            for (FileStatus f : files) {
                out.add(fs.makeQualified(f.getPath()).toString());
            }
        } else if (isTarName(path.getName())) {
            out.add(fs.makeQualified(path).toString());
        } else {
            Path folder = fs.makeQualified(path).getParent();
            for (String line : lines(fs, path)) {
                Path tar = new Path(line);
                out.add(existing(fs, tar.isAbsoluteAndSchemeAuthorityNull() || tar.toUri().getScheme() != null ? tar
                        : new Path(folder, line), p));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(p + " names no tar file: give a .tar file, a folder of .tar files, a "
                    + "brace pattern like shard-{000000..000009}.tar, or a list with one tar path per line");
        }
        return out;
    }

    /**
     * The tars of a NeMo tarred dataset: {@code audio_<N>.tar} in the manifest's folder, by N, as NeMo's
     * convert_to_tarred_audio_dataset.py writes them beside {@code tarred_audio_manifest.json}.
     */
    static List<String> nemoTars(FileSystem fs, Path manifest) throws IOException {
        FileStatus[] files = fs.listStatus(manifest.getParent(),
                f -> f.getName().matches("audio_\\d{1,9}\\.tar"));
        Arrays.sort(files, Comparator.comparingLong(f -> Long.parseLong(f.getPath().getName()
                .replaceAll("\\D", ""))));
        List<String> out = new ArrayList<>();
        for (FileStatus f : files) {
            out.add(fs.makeQualified(f.getPath()).toString());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("NeMo tarred manifest " + manifest + " has no audio_<N>.tar beside it: "
                    + "put the manifest in the folder of its tars (as convert_to_tarred_audio_dataset.py writes "
                    + "them)");
        }
        return out;
    }

    /**
     * The non-blank lines of a small list file, stripped. A line of more than {@value #MAX_LIST_LINE} characters is
     * no tar's path: the list is refused, naming the line, before it is read whole on the driver.
     */
    static List<String> lines(FileSystem fs, Path list) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(list), StandardCharsets.UTF_8))) {
            StringBuilder line = new StringBuilder();
            int number = 1;
            for (int c = r.read(); ; c = r.read()) {
                if (c < 0 || c == '\n') {
                    if (!line.toString().isBlank()) {
                        out.add(line.toString().strip());
                    }
                    if (c < 0) {
                        return out;
                    }
                    line.setLength(0);
                    number++;
                } else if (line.length() == MAX_LIST_LINE) {
                    throw new IllegalArgumentException(list + ": line " + number + " is longer than " + MAX_LIST_LINE
                            + " characters, which no tar's path is: is this a list of tars, one per line?");
                } else {
                    line.append((char) c);
                }
            }
        }
    }

    private static String existing(FileSystem fs, Path tar, String namedBy) throws IOException {
        FileSystem tfs = tar.getFileSystem(fs.getConf());
        if (!tfs.exists(tar)) {
            throw new IllegalArgumentException("tar " + tar + " (named by " + namedBy + ") does not exist: fix the "
                    + "path or the list, or remove the line");
        }
        return tfs.makeQualified(tar).toString();
    }

    /** Brace expansion, left to right: {@code {a,b}} lists and {@code {lo..hi}} integer ranges. */
    static List<String> expand(String p) {
        int open = p.indexOf('{');
        int close = open < 0 ? -1 : p.indexOf('}', open);
        if (open < 0 || close < 0) {
            return List.of(p);
        }
        String body = p.substring(open + 1, close);
        List<String> parts = new ArrayList<>();
        int dots = body.indexOf("..");
        if (dots > 0 && body.indexOf(',') < 0) {
            String lo = body.substring(0, dots);
            String hi = body.substring(dots + 2);
            long a = TarHeader.parseLong(lo);
            long b = TarHeader.parseLong(hi);
            if (a < 0 || b < a || b - a >= MAX_EXPANDED) {
                throw new IllegalArgumentException("brace range {" + body + "} in " + p + " is not lo..hi with "
                        + "0 <= lo <= hi (and under " + MAX_EXPANDED + " values), e.g. {000000..000009}");
            }
            int width = lo.length() > 1 && lo.startsWith("0") ? lo.length() : 0;
            for (long i = a; i <= b; i++) {
                parts.add(width > 0 ? String.format(Locale.ROOT, "%0" + width + "d", i) : Long.toString(i));
            }
        } else {
            parts.addAll(Arrays.asList(body.split(",", -1)));
        }
        List<String> rests = expand(p.substring(close + 1));
        if ((long) parts.size() * rests.size() > MAX_EXPANDED) {
            throw new IllegalArgumentException(p + " expands to over " + MAX_EXPANDED + " paths; list the tars in a "
                    + "file instead");
        }
        List<String> out = new ArrayList<>();
        for (String part : parts) { // the first brace varies slowest, as braceexpand orders them
            for (String rest : rests) {
                out.add(p.substring(0, open) + part + rest);
            }
        }
        return out;
    }
}
