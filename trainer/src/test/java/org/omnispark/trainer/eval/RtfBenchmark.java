package org.omnispark.trainer.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.omnispark.trainer.RepeatSpread;

/**
 * Decoding real-time factor of several trained models on one prepared set, measured the way a comparison needs it
 * ({@code submit/omnispark bench rtf}): every model decodes the set in every mode once to warm up, then {@code
 * repeats} times, the models interleaved within each repeat (so a slow phase of the machine hits all of them); RTF
 * per repeat, as min / median / max, and the ratio to the first model (the reference) per repeat, as min / median /
 * max. Two contexts: full context (CTC greedy, attention rescoring where the model has a decoder), and chunk {@code
 * chunk} (the same batched modes with chunk masks, plus streaming: chunk by chunk with caches, batch 1). The timed
 * region is {@link ModeResult#decodeSeconds}: encoder and search, not reading shards or scoring. Not a test.
 *
 * <p>Arguments: {@code NAME=MODEL_DIR ... --data DATASET [--repeats 3] [--chunk 16]}; with no model named, the demo's
 * three models ({@code runs/demo/exp/tiny_{dense,switch,omni}}) on its in-domain set.
 */
public final class RtfBenchmark {

    private RtfBenchmark() {}

    /** One timed cell: a model, a context and a mode. */
    private record Cell(String model, String context, DecodeMode mode) {}

    public static void main(String[] args) throws IOException {
        Map<String, Path> models = new LinkedHashMap<>();
        Path data = null;
        int repeats = 3;
        int chunk = ModeDecoder.DEFAULT_STREAMING_CHUNK;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--chunk" -> chunk = Integer.parseInt(args[++i]);
                default -> {
                    String[] kv = args[i].split("=", 2);
                    if (kv.length != 2) {
                        throw new IllegalArgumentException("expected NAME=MODEL_DIR, --data, --repeats or --chunk, got "
                                + args[i]);
                    }
                    models.put(kv[0], Path.of(kv[1]));
                }
            }
        }
        if (models.isEmpty()) {
            for (String m : List.of("dense", "switch", "omni")) {
                models.put(m, Path.of("runs/demo/exp/tiny_" + m));
            }
            data = data != null ? data : Path.of("runs/demo/data/indomain");
        }
        if (data == null) {
            throw new IllegalArgumentException("--data DATASET is required when models are named");
        }
        for (Path dir : models.values()) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + " is not a model folder: name trained models as NAME=DIR "
                        + "(train --out folders), or run submit/omnispark demo first for the default ones");
            }
        }
        System.out.printf("cpu: %s, %d cores; data %s; %d repeats after a warm-up, models interleaved; chunk %d%n",
                cpuModel(), Runtime.getRuntime().availableProcessors(), data, repeats, chunk);
        Path scratch = Files.createTempDirectory("omnispark-rtf-");
        final int rounds = repeats;
        Map<Cell, double[]> rtf = new LinkedHashMap<>();
        double audio = 0;
        try {
            for (int r = -1; r < repeats; r++) { // repeat -1 warms up
                for (Map.Entry<String, Path> m : models.entrySet()) {
                    for (boolean chunked : new boolean[] {false, true}) {
                        EvalReport report = Evaluator.builder().setModelDir(m.getValue()).setData(data)
                                .optOutput(scratch.resolve(m.getKey() + (chunked ? "-chunk" : "-full")))
                                .optModes(modes(m.getValue(), chunked)).optDecodingChunk(chunked ? chunk : 0, -1)
                                .build().run();
                        for (ModeResult result : report.modes()) {
                            Cell cell = new Cell(m.getKey(), result.context(), result.mode());
                            double[] values = rtf.computeIfAbsent(cell, c -> new double[rounds]);
                            audio = result.audioSeconds();
                            if (r >= 0) {
                                values[r] = result.realTimeFactor();
                            }
                        }
                    }
                }
            }
        } finally {
            deleteTree(scratch);
        }
        String reference = models.keySet().iterator().next();
        System.out.printf("%.1f s of audio per mode; RTF = decode seconds / audio seconds%n%n", audio);
        System.out.println("| model | context | mode | RTF min / median / max | vs " + reference
                + " min / median / max |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<Cell, double[]> e : rtf.entrySet()) {
            Cell c = e.getKey();
            double[] ref = rtf.get(new Cell(reference, c.context(), c.mode()));
            String ratio = "";
            if (ref != null && !c.model().equals(reference)) {
                ratio = RepeatSpread.of(RepeatSpread.ratios(e.getValue(), ref), "%.2f");
            }
            System.out.printf("| %s | %s | %s | %s | %s |%n", c.model(), c.context(), c.mode().id(),
                    RepeatSpread.of(e.getValue(), "%.4f"), ratio);
        }
    }

    /** Full context: CTC greedy (+ attention rescoring); chunked: the same plus streaming. */
    private static List<DecodeMode> modes(Path modelDir, boolean chunked) {
        List<DecodeMode> modes = new ArrayList<>(List.of(DecodeMode.CTC_GREEDY));
        if (hasDecoder(modelDir)) {
            modes.add(DecodeMode.ATTENTION_RESCORING);
        }
        if (chunked) {
            modes.add(DecodeMode.STREAMING);
        }
        return modes;
    }

    private static boolean hasDecoder(Path modelDir) {
        return org.omnispark.trainer.model.ModelDirectory.read(modelDir).modelConfig().hasDecoder();
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
