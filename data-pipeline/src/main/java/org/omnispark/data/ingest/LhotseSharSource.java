package org.omnispark.data.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.omnispark.data.RejectReason;
import org.omnispark.io.HadoopConf;
import scala.Tuple2;

/**
 * Lhotse Shar, as Lhotse's {@code CutSet.to_shar} / {@code SharWriter} writes it: a folder of shards, shard N being
 * {@code cuts.N.jsonl.gz} (or {@code .jsonl}) and {@code recording.N.tar} (N is 6 digits, {@code 000000} up; without
 * sharding the names have no {@code .N}). Line k of the cuts file is a cut whose recording is a placeholder (one
 * {@code "shar"} source holding the cut's channels, {@code "source": ""}) and whose start is 0; the tar holds, per
 * cut and in the same order, its audio alone as {@code <cut id>.<format>} (flac, wav, mp3, opus) followed by
 * {@code <cut id>.json} (the placeholder recording), or {@code <cut id>.nodata} + {@code <cut id>.nometa} for a cut
 * without audio. Other fields ({@code features.N.tar}, custom ones) and index files ({@code .idx}) are not read.
 *
 * <p>Reading: one Spark task per tar lists its members ({@link TarIndex#members}, headers only); the cuts are parsed
 * by {@link LhotseManifest#parseSharCut} (one row per supervision, key = supervision id) and joined on Spark with the
 * members of the same shard by cut id (a member's name up to its last dot). Rows come from the cuts files (source =
 * the cuts file, line = its line); a cut with no audio member is a MISSING_AUDIO reject naming the tar; a damaged tar
 * is one reject of its own (source = the tar), as for NeMo's tarred datasets. Shards must be complete: a cuts file
 * without its tar, or a tar without its cuts file, is an error before anything is read ({@link #layout}).
 */
public final class LhotseSharSource {
    /** A cuts shard's name; group 1 is the shard part ({@code .000000}, or absent). */
    static final Pattern CUTS = Pattern.compile("cuts(\\..+)?\\.jsonl(\\.gz)?");
    /** A recording shard's name; group 1 as for {@link #CUTS}. */
    static final Pattern RECORDING = Pattern.compile("recording(\\..+)?\\.tar");
    /** How many unpaired files an error names. */
    private static final int NAMED = 5;

    private LhotseSharSource() {
    }

    /**
     * The shards of one Shar input, qualified, pairwise: {@code cuts.get(i)} goes with {@code tars.get(i)}.
     *
     * @param cuts the cuts files, by shard
     * @param tars the recording tars, by shard
     */
    record Layout(List<String> cuts, List<String> tars) {
    }

    /** True for a folder without Kaldi's {@code text} that holds a Shar cuts file: what AUTO reads as Shar. */
    static boolean isSharFolder(FileSystem fs, Path dir) throws IOException {
        return !fs.exists(new Path(dir, "text"))
                && fs.listStatus(dir, p -> CUTS.matcher(p.getName()).matches()).length > 0;
    }

    /** True for a Shar cuts file ({@code cuts.N.jsonl[.gz]}) with its {@code recording.N.tar} beside it. */
    static boolean isSharCutsFile(FileSystem fs, Path file) throws IOException {
        Matcher m = CUTS.matcher(file.getName());
        return m.matches() && fs.exists(new Path(file.getParent(), recordingName(m)));
    }

    private static String recordingName(Matcher cuts) {
        return "recording" + (cuts.group(1) == null ? "" : cuts.group(1)) + ".tar";
    }

    /**
     * The shards of a Shar folder, paired by their shard part and in its order; or the one shard of a cuts file.
     *
     * @throws IllegalArgumentException when there are no cuts, no recordings, or a file without its partner, saying
     *     which and what to do
     */
    static Layout layout(FileSystem fs, Path path, boolean dir) throws IOException {
        if (!dir) {
            Matcher m = CUTS.matcher(path.getName());
            Path tar = m.matches() ? new Path(path.getParent(), recordingName(m)) : null;
            if (tar == null || !fs.exists(tar)) {
                throw new IllegalArgumentException("--manifest-format lhotse_shar: " + path + (m.matches()
                        ? " has no " + tar.getName() + " beside it" : " is not a Shar cuts file (cuts.NNNNNN.jsonl.gz)")
                        + "; name the folder CutSet.to_shar wrote (cuts.NNNNNN.jsonl.gz beside recording.NNNNNN.tar)");
            }
            return new Layout(List.of(path.toString()), List.of(fs.makeQualified(tar).toString()));
        }
        TreeMap<String, String> cuts = new TreeMap<>();
        TreeMap<String, String> tars = new TreeMap<>();
        for (FileStatus f : fs.listStatus(path)) {
            String name = f.getPath().getName();
            Matcher c = CUTS.matcher(name);
            Matcher r = RECORDING.matcher(name);
            if (c.matches()) {
                String before = cuts.put(part(c), f.getPath().toString());
                if (before != null) {
                    throw new IllegalArgumentException("Lhotse Shar folder " + path + " has two cuts files for one "
                            + "shard: " + new Path(before).getName() + " and " + name + "; keep one of them");
                }
            } else if (r.matches()) {
                tars.put(part(r), f.getPath().toString());
            }
        }
        if (cuts.isEmpty()) {
            throw new IllegalArgumentException("Lhotse Shar folder " + path + " has no cuts.NNNNNN.jsonl.gz (or "
                    + ".jsonl): name the folder CutSet.to_shar wrote, with its cuts (include_cuts=True)");
        }
        if (tars.isEmpty()) {
            throw new IllegalArgumentException("Lhotse Shar folder " + path + " has cuts but no recording.NNNNNN.tar:"
                    + " prepare computes features from the audio, so the Shar must hold it: write it with "
                    + "fields={'recording': 'flac'} (or wav, mp3, opus); a folder that is no Shar but holds a plain "
                    + "Lhotse cuts file: name that file instead");
        }
        List<String> unpaired = new ArrayList<>();
        cuts.forEach((k, v) -> {
            if (!tars.containsKey(k)) {
                unpaired.add(new Path(v).getName() + " has no recording" + k + ".tar");
            }
        });
        tars.forEach((k, v) -> {
            if (!cuts.containsKey(k)) {
                unpaired.add("recording" + k + ".tar has no cuts" + k + ".jsonl.gz");
            }
        });
        if (!unpaired.isEmpty()) {
            throw new IllegalArgumentException("Lhotse Shar folder " + path + " is incomplete: " + String.join("; ",
                    unpaired.subList(0, Math.min(NAMED, unpaired.size()))) + (unpaired.size() > NAMED ? " (and "
                    + (unpaired.size() - NAMED) + " more)" : "") + ". Every shard needs both files (an interrupted "
                    + "copy or export?): copy the missing ones, or move the unpaired files out of the folder");
        }
        return new Layout(List.copyOf(cuts.values()), List.copyOf(tars.values()));
    }

    private static String part(Matcher m) {
        return m.group(1) == null ? "" : m.group(1);
    }

    /** The cut id a member of a recording tar holds audio for, or null for a {@code .json}, {@code .nodata} ... */
    static String cutIdOf(String memberName) {
        int slash = memberName.lastIndexOf('/');
        int dot = memberName.lastIndexOf('.');
        if (dot <= slash + 1) {
            return null;
        }
        String ext = memberName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return ext.equals("json") || ext.equals("nodata") || ext.equals("nometa") ? null
                : memberName.substring(0, dot);
    }

    /**
     * Reads the shards: every supervision of every cut is a row, its audio the cut's member of the paired tar.
     *
     * @param cuts the cuts files (qualified), by shard
     * @param tars the recording tars (qualified), {@code tars.get(i)} paired with {@code cuts.get(i)}
     */
    static JavaRDD<ParsedLine> read(JavaSparkContext jsc, List<String> cuts, List<String> tars) {
        HadoopConf conf = new HadoopConf(jsc.hadoopConfiguration());
        int count = tars.size();
        JavaRDD<Tuple2<Integer, Object>> listed = jsc.parallelize(new ArrayList<>(IntStream.range(0, count).boxed()
                .toList()), Math.max(1, count)).flatMap(i -> {
                    List<ParsedLine> damage = new ArrayList<>();
                    List<TarMember> members;
                    try {
                        members = TarIndex.members(tars.get(i), conf.get(), damage);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read tar " + tars.get(i) + ": " + e + "; the task "
                                + "fails so that Spark retries it (check permissions and the file system's health)", e);
                    }
                    List<Tuple2<Integer, Object>> out = new ArrayList<>();
                    members.stream().filter(m -> cutIdOf(m.name()) != null).forEach(m -> out.add(new Tuple2<>(i, m)));
                    damage.forEach(d -> out.add(new Tuple2<>(i, d)));
                    return out.iterator();
                }).cache();
        // A cut id with two audio members in one tar (Lhotse never writes that) takes the first.
        JavaPairRDD<Tuple2<Integer, String>, TarMember> byCut = listed.filter(t -> t._2() instanceof TarMember)
                .mapToPair(t -> {
                    TarMember m = (TarMember) t._2();
                    return new Tuple2<>(new Tuple2<>(t._1(), cutIdOf(m.name())), m);
                })
                .reduceByKey((a, b) -> a.offset() <= b.offset() ? a : b);
        List<JavaRDD<Tuple2<Integer, ParsedLine>>> perShard = new ArrayList<>();
        for (int s = 0; s < cuts.size(); s++) {
            int shard = s;
            String source = cuts.get(s);
            String base = new Path(source).getParent().toString();
            perShard.add(ManifestLines.read(jsc, source)
                    .filter(t -> !t._1().isBlank())
                    .flatMap(t -> LhotseManifest.parseSharCut(t._1(), source, t._2()).stream()
                            .map(p -> new Tuple2<>(shard, ManifestSource.resolve(p, base))).iterator()));
        }
        @SuppressWarnings("unchecked")
        JavaRDD<Tuple2<Integer, ParsedLine>> rows = perShard.size() == 1 ? perShard.get(0)
                : jsc.union(perShard.toArray(new JavaRDD[0]));
        JavaRDD<ParsedLine> joined = rows.filter(t -> LhotseManifest.sharCutId(t._2()) != null)
                .mapToPair(t -> new Tuple2<>(new Tuple2<>(t._1(), LhotseManifest.sharCutId(t._2())), t._2()))
                .leftOuterJoin(byCut)
                .map(v -> withMember(v._2()._1(), v._1()._2(), v._2()._2().orNull(), tars.get(v._1()._1())));
        return rows.filter(t -> LhotseManifest.sharCutId(t._2()) == null).map(Tuple2::_2)
                .union(joined)
                .union(listed.filter(t -> t._2() instanceof ParsedLine).map(t -> (ParsedLine) t._2()));
    }

    /** The row with the cut's member as its audio, or the MISSING_AUDIO reject when the tar has none. */
    static ParsedLine withMember(ParsedLine row, String cutId, TarMember member, String tar) {
        ManifestEntry e = row.entry();
        if (member == null) {
            return ParsedLine.rejected(RejectReason.MISSING_AUDIO, "cut '" + cutId + "' has no audio member in "
                    + tar + " (Lhotse Shar writes " + cutId + ".<format> + " + cutId + ".json for every cut with a "
                    + "recording): the shard is incomplete or damaged (a damage reject of the tar says where); "
                    + "re-export it with CutSet.to_shar, or drop the cut", e.key(), e.source(), e.line());
        }
        return ParsedLine.ok(new ManifestEntry(e.key(), member.uri(), e.text(), e.confidence(), e.duration(),
                e.speaker(), e.language(), e.offset(), e.length(), e.source(), e.line()));
    }
}
