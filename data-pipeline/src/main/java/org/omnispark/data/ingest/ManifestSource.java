package org.omnispark.data.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import org.omnispark.io.HadoopConf;
import scala.Tuple2;

/**
 * Reads input manifests on Spark into {@link ParsedLine}s: JSON-lines files (OmniSpark, WeNet or NeMo field names),
 * Kaldi data directories (a folder holding {@code text} and {@code wav.scp}) and Lhotse manifests (a CutSet, or a
 * RecordingSet + SupervisionSet pair), plain or gzipped, Lhotse Shar folders ({@link LhotseSharSource}) and tar
 * shards (WeNet, WebDataset: {@link TarIndex}) ({@link ManifestInputs} tells them apart). Each line keeps its file and
 * 0-based line number, so every input row can be accounted for. Relative audio paths are resolved against the
 * folder of the manifest that names them. Paths go through the Hadoop FileSystem API (local, HDFS, S3A, ...).
 */
public final class ManifestSource {
    private ManifestSource() {
    }

    /** Reads every manifest named in {@code paths}, each as {@link ManifestFormat#AUTO} decides. */
    public static JavaRDD<ParsedLine> read(JavaSparkContext jsc, List<String> paths) {
        return read(jsc, paths, ManifestFormat.AUTO);
    }

    /**
     * Reads every manifest named in {@code paths}; the result is the union in the order given.
     *
     * @param format how to read them ({@link ManifestInputs} decides per path for AUTO)
     */
    public static JavaRDD<ParsedLine> read(JavaSparkContext jsc, List<String> paths, ManifestFormat format) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no manifest given: pass --manifest FILE (JSON lines, or a Lhotse "
                    + "cuts/recordings/supervisions file), a Kaldi data directory, a Lhotse Shar folder or tar "
                    + "shards, or set input.manifests in the config");
        }
        Configuration conf = jsc.hadoopConfiguration();
        List<JavaRDD<ParsedLine>> parts = new ArrayList<>();
        for (ManifestInputs.Input in : ManifestInputs.resolve(conf, paths, format)) {
            Path path = new Path(in.path());
            try {
                parts.add(switch (in.kind()) {
                    case KALDI -> readKaldi(jsc, path.getFileSystem(conf), path);
                    case JSONL -> readJsonLines(jsc, path);
                    case LHOTSE_CUTS -> readLhotseCuts(jsc, path);
                    case LHOTSE_PAIR -> readLhotsePair(jsc, path, new Path(in.recordings()));
                    case LHOTSE_SHAR -> LhotseSharSource.read(jsc, in.cuts(), in.tars());
                    case WENET_TAR -> readTars(jsc, in.tars(), TarIndex.Naming.WENET);
                    case WEBDATASET -> readTars(jsc, in.tars(), TarIndex.Naming.WEBDATASET);
                    case NEMO_TAR -> readNemoTar(jsc, path, in.tars());
                    case HF_PARQUET -> readHfParquet(jsc, in.tars());
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read manifest " + in.path(), e);
            }
        }
        JavaRDD<ParsedLine> all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.union(parts.get(i));
        }
        return all;
    }

    /**
     * The manifest files rows come from, qualified, in the order of {@code paths} (a Lhotse pair adds its
     * supervisions, then its recordings): the order in which duplicate keys are decided.
     */
    public static List<String> rowSources(JavaSparkContext jsc, List<String> paths, ManifestFormat format) {
        List<String> out = new ArrayList<>();
        for (ManifestInputs.Input in : ManifestInputs.resolve(jsc.hadoopConfiguration(), paths, format)) {
            out.addAll(in.rowSources());
        }
        return out;
    }

    /** The fully qualified form of a manifest path, as it appears in {@link ParsedLine#source()}. */
    public static String qualify(JavaSparkContext jsc, String path) {
        Path p = new Path(path);
        try {
            return p.getFileSystem(jsc.hadoopConfiguration()).makeQualified(p).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve manifest path " + path, e);
        }
    }

    static JavaRDD<ParsedLine> readJsonLines(JavaSparkContext jsc, Path file) {
        String source = file.toString();
        String base = file.getParent().toString();
        return ManifestLines.read(jsc, source)
                .filter(t -> !t._1().isBlank())
                .map(t -> resolve(JsonLinesManifest.parse(t._1(), source, t._2()), base));
    }

    /**
     * A Lhotse CutSet: one row per supervision, each keeping its cut's line. Spark reads a {@code .gz} file through
     * Hadoop's gzip codec, as one partition (gzip cannot be split); the rows spread out after the planning step.
     */
    static JavaRDD<ParsedLine> readLhotseCuts(JavaSparkContext jsc, Path file) {
        String source = file.toString();
        String base = file.getParent().toString();
        return ManifestLines.read(jsc, source)
                .filter(t -> !t._1().isBlank())
                .flatMap(t -> LhotseManifest.parseCut(t._1(), source, t._2()).stream()
                        .map(p -> resolve(p, base)).iterator());
    }

    /**
     * A Lhotse SupervisionSet joined with its RecordingSet by recording id: one row per supervision line; a
     * recordings line that cannot be parsed is a reject of its own (its supervisions then find no recording); a
     * recording id listed twice takes its first line. Audio paths resolve against the recordings file's folder.
     */
    static JavaRDD<ParsedLine> readLhotsePair(JavaSparkContext jsc, Path supervisions, Path recordings) {
        String supSource = supervisions.toString();
        String recSource = recordings.toString();
        String base = recordings.getParent().toString();
        JavaRDD<Tuple2<Long, LhotseManifest.Parsed<LhotseRecording>>> recs = ManifestLines.read(jsc, recSource)
                .filter(t -> !t._1().isBlank())
                .map(t -> new Tuple2<>(t._2(), LhotseManifest.parseRecording(t._1(), recSource, t._2())));
        JavaPairRDD<String, LhotseRecording> byId = recs.filter(t -> t._2().value() != null)
                .mapToPair(t -> new Tuple2<>(t._2().value().id(), new Tuple2<>(t._1(), t._2().value())))
                .reduceByKey((a, b) -> a._1() <= b._1() ? a : b)
                .mapValues(Tuple2::_2);
        JavaRDD<Tuple2<Long, LhotseManifest.Parsed<LhotseSupervision>>> sups = ManifestLines.read(jsc, supSource)
                .filter(t -> !t._1().isBlank())
                .map(t -> new Tuple2<>(t._2(), LhotseManifest.parseSupervision(t._1(), supSource, t._2())));
        JavaRDD<ParsedLine> joined = sups.filter(t -> t._2().value() != null)
                .mapToPair(t -> new Tuple2<>(t._2().value().recordingId(), new Tuple2<>(t._1(), t._2().value())))
                .leftOuterJoin(byId)
                .values()
                .map(v -> resolve(LhotseManifest.pairRow(v._1()._2(), v._2().orElse(null), recSource, supSource,
                        v._1()._1()), base));
        return sups.filter(t -> t._2().reject() != null).map(t -> t._2().reject())
                .union(joined)
                .union(recs.filter(t -> t._2().reject() != null).map(t -> t._2().reject()));
    }

    /**
     * Tar shards: one Spark task per tar reads its headers and text members ({@link TarIndex}); audio stays in the
     * tar, named by {@link TarMember} references. An I/O error fails the task (Spark retries it); a damaged tar is a
     * reject of its own, after the rows read before the damage.
     */
    static JavaRDD<ParsedLine> readTars(JavaSparkContext jsc, List<String> tars, TarIndex.Naming naming) {
        HadoopConf conf = new HadoopConf(jsc.hadoopConfiguration());
        return jsc.parallelize(tars, Math.max(1, tars.size())).flatMap(tar -> {
            try {
                return TarIndex.read(tar, naming, conf.get()).iterator();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tar " + tar + ": " + e + "; the task fails so that Spark "
                        + "retries it (check permissions and the file system's health)", e);
            }
        });
    }

    /**
     * Hugging Face Parquet files: one Spark task per file reads its rows one row group at a time
     * ({@link HfParquetRows}); the audio bytes travel with the rows. The reader is closed when the task ends, however
     * it ends.
     */
    static JavaRDD<ParsedLine> readHfParquet(JavaSparkContext jsc, List<String> files) {
        HadoopConf conf = new HadoopConf(jsc.hadoopConfiguration());
        return jsc.parallelize(files, Math.max(1, files.size())).flatMap(file -> {
            HfParquetRows rows = new HfParquetRows(file, conf.get());
            org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> rows.close());
            }
            return rows;
        });
    }

    /**
     * A NeMo tarred dataset: the manifest's lines (JSON lines, NeMo's field names) joined on Spark with the members of
     * its tars by file name (the base name of {@code audio_filepath}; a name in several tars takes the first tar's,
     * as listed, then the first member). A line whose member is in no tar is a MISSING_AUDIO reject; members no
     * line names are not read; a damaged tar is one reject of its own (source = the tar).
     */
    static JavaRDD<ParsedLine> readNemoTar(JavaSparkContext jsc, Path manifest, List<String> tars) {
        HadoopConf conf = new HadoopConf(jsc.hadoopConfiguration());
        String source = manifest.toString();
        int count = tars.size();
        JavaRDD<Tuple2<Integer, Object>> listed = jsc.parallelize(new ArrayList<>(java.util.stream.IntStream
                .range(0, count).boxed().toList()), Math.max(1, count)).flatMap(i -> {
            List<ParsedLine> damage = new ArrayList<>();
            List<TarMember> members;
            try {
                members = TarIndex.members(tars.get(i), conf.get(), damage);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tar " + tars.get(i) + ": " + e + "; the task fails so "
                        + "that Spark retries it (check permissions and the file system's health)", e);
            }
            List<Tuple2<Integer, Object>> out = new ArrayList<>();
            members.forEach(m -> out.add(new Tuple2<>(i, m)));
            damage.forEach(d -> out.add(new Tuple2<>(i, d)));
            return out.iterator();
        }).cache();
        JavaPairRDD<String, TarMember> byName = listed.filter(t -> t._2() instanceof TarMember)
                .mapToPair(t -> {
                    TarMember m = (TarMember) t._2();
                    return new Tuple2<>(baseName(m.name()), new Tuple2<>(t._1(), m));
                })
                .reduceByKey((a, b) -> a._1() < b._1()
                        || (a._1().equals(b._1()) && a._2().offset() < b._2().offset()) ? a : b)
                .mapValues(Tuple2::_2);
        JavaRDD<ParsedLine> lines = ManifestLines.read(jsc, source)
                .filter(t -> !t._1().isBlank())
                .map(t -> JsonLinesManifest.parse(t._1(), source, t._2()));
        JavaRDD<ParsedLine> joined = lines.filter(p -> !p.isMalformed())
                .mapToPair(p -> new Tuple2<>(baseName(p.entry().audioPath()), p))
                .leftOuterJoin(byName)
                .values()
                .map(v -> {
                    ManifestEntry e = v._1().entry();
                    if (!v._2().isPresent()) {
                        return ParsedLine.rejected(org.omnispark.data.RejectReason.MISSING_AUDIO, "audio_filepath '"
                                + e.audioPath() + "' is a member of none of the " + count + " tars beside " + source
                                + " (matched by file name); add it to a tar or drop the line", e.key(), source,
                                e.line());
                    }
                    return ParsedLine.ok(new ManifestEntry(e.key(), v._2().get().uri(), e.text(), e.confidence(),
                            e.duration(), e.speaker(), e.language(), e.offset(), e.length(), source, e.line()));
                });
        return lines.filter(ParsedLine::isMalformed).union(joined)
                .union(listed.filter(t -> t._2() instanceof ParsedLine).map(t -> (ParsedLine) t._2()));
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static JavaRDD<ParsedLine> readKaldi(JavaSparkContext jsc, FileSystem fs, Path dir) throws IOException {
        String source = dir.toString();
        Path text = new Path(dir, "text");
        Path wavScp = new Path(dir, "wav.scp");
        if (!fs.exists(text) || !fs.exists(wavScp)) {
            throw new IllegalArgumentException("Kaldi data directory " + dir + " needs both 'text' and 'wav.scp'");
        }
        JavaPairRDD<String, KaldiDataDir.TextLine> texts = ManifestLines.read(jsc, text.toString())
                .flatMap(t -> KaldiDataDir.parseText(t._1(), t._2()).stream().iterator())
                .mapToPair(t -> new Tuple2<>(t.utt(), t));
        JavaPairRDD<String, String> wavs = firstPerKey(jsc, new Path(dir, "wav.scp"));
        Path segmentsPath = new Path(dir, "segments");
        Path utt2spkPath = new Path(dir, "utt2spk");
        JavaPairRDD<String, String> spk = fs.exists(utt2spkPath) ? firstPerKey(jsc, utt2spkPath)
                : JavaPairRDD.fromJavaRDD(jsc.<Tuple2<String, String>>emptyRDD());
        JavaPairRDD<String, Tuple2<KaldiDataDir.TextLine, Optional<String>>> withSpk = texts.leftOuterJoin(spk);
        // Re-key by recording: the utterance itself, or its segment's recording.
        JavaPairRDD<String, Tuple2<KaldiDataDir.TextLine, Tuple2<KaldiDataDir.Segment, String>>> byRecording;
        if (fs.exists(segmentsPath)) {
            // One segment per utterance: a second line for the same utterance makes it ambiguous (rejected).
            JavaPairRDD<String, KaldiDataDir.Segment> segments = ManifestLines.read(jsc, segmentsPath.toString())
                    .filter(t -> !t._1().isBlank() && ManifestLines.tooLongBytes(t._1()) < 0) // names no utterance
                    .map(t -> KaldiDataDir.parseSegment(t._1(), t._2() + 1))
                    .mapToPair(s -> new Tuple2<>(s.utt(), s))
                    .reduceByKey((a, b) -> new KaldiDataDir.Segment(a.utt(), null, 0, 0, "segments lists '"
                            + a.utt() + "' more than once; keep one line per utterance"));
            byRecording = withSpk.leftOuterJoin(segments).mapToPair(t -> {
                KaldiDataDir.Segment seg = t._2()._2().orElse(null);
                String rec = seg == null ? t._1() : seg.recording();
                return new Tuple2<>(rec, new Tuple2<>(t._2()._1()._1(),
                        new Tuple2<>(seg, t._2()._1()._2().orElse(null))));
            });
        } else {
            byRecording = withSpk.mapToPair(t -> new Tuple2<>(t._1(), new Tuple2<>(t._2()._1(),
                    new Tuple2<>((KaldiDataDir.Segment) null, t._2()._2().orElse(null)))));
        }
        String base = dir.toString();
        return byRecording.leftOuterJoin(wavs).values().map(v -> {
            KaldiDataDir.TextLine line = v._1()._1();
            ParsedLine parsed = KaldiDataDir.toParsedLine(line, v._1()._2()._1(), v._2().orElse(null),
                    v._1()._2()._2(), source);
            return resolve(parsed, base);
        }).sortBy(p -> p.line(), true, Math.max(1, jsc.defaultParallelism()));
    }

    /**
     * A Kaldi "id value" file as pairs, one per id: when an id appears on several lines, the first line's value
     * wins (Kaldi's tools require sorted, unique ids; this keeps a damaged file from multiplying rows).
     */
    static JavaPairRDD<String, String> firstPerKey(JavaSparkContext jsc, Path file) {
        return ManifestLines.read(jsc, file.toString())
                .filter(t -> !t._1().isBlank() && ManifestLines.tooLongBytes(t._1()) < 0) // names no id: its rows miss it
                .mapToPair(t -> {
                    String[] kv = KaldiDataDir.splitFirst(t._1());
                    return new Tuple2<>(kv[0], new Tuple2<>(t._2(), kv[1]));
                })
                .reduceByKey((a, b) -> a._1() <= b._1() ? a : b)
                .mapValues(Tuple2::_2);
    }

    /** Resolves a relative audio path against the manifest's folder; URIs and absolute paths are kept. */
    public static ParsedLine resolve(ParsedLine parsed, String baseDir) {
        if (parsed.isMalformed()) {
            return parsed;
        }
        ManifestEntry e = parsed.entry();
        String audio = e.audioPath();
        if (audio.startsWith("/") || audio.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return parsed;
        }
        return ParsedLine.ok(e.withAudioPath(new Path(new Path(baseDir), audio).toString()));
    }
}
