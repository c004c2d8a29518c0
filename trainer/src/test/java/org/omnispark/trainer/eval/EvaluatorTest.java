package org.omnispark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.encoder.ChunkMasks;
import org.omnispark.trainer.loop.Trainer;
import org.omnispark.trainer.metrics.EditCounts;
import org.omnispark.trainer.metrics.ErrorRateCalculator;
import org.omnispark.trainer.metrics.ErrorRateReport;
import org.omnispark.trainer.metrics.Transcript;
import org.omnispark.trainer.metrics.TrnFile;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.infra.CheckpointManager;

/** Evaluation of a briefly trained tiny Omni-router model: trn files, report counts, streaming equivalence. */
class EvaluatorTest {

    @TempDir
    static Path tmp;
    static Path data;
    static Path modelDir;

    @BeforeAll
    static void train() {
        data = TinyDatasets.dataset(4);
        modelDir = tmp.resolve("model");
        // tiny_omni: causal Conformer with dynamic chunk training, so it can stream
        Trainer.builder().setModelConfig(TinyDatasets.model("omni")).setTrainConfig(TinyDatasets.train("max_steps=8",
                "lr=0.01", "warmup_steps=5")).setTrainData(data).setOutput(modelDir).build().run();
    }

    /** Streaming's default chunk applies to streaming only: the other modes keep full context, and say so. */
    @Test
    void streamingChunkDoesNotLeakIntoTheFullContextModes() throws IOException {
        Path mixed = tmp.resolve("eval-mixed");
        EvalReport report = Evaluator.builder().setModelDir(modelDir).setData(data).optOutput(mixed)
                .optModes(List.of(DecodeMode.CTC_GREEDY, DecodeMode.STREAMING)).build().run();
        assertEquals("full context", report.modes().get(0).context());
        assertEquals("chunk 16, all left chunks", report.modes().get(1).context());
        JsonNode json = ConfigLoader.json().readTree(mixed.resolve("report.json").toFile());
        assertEquals(0, json.get("modes").get("ctc_greedy").get("decoding_chunk_size").asInt());
        assertEquals(16, json.get("modes").get("streaming").get("decoding_chunk_size").asInt());
        Path alone = tmp.resolve("eval-greedy-alone");
        Evaluator.builder().setModelDir(modelDir).setData(data).optOutput(alone).optModes(List.of(
                DecodeMode.CTC_GREEDY)).build().run();
        assertEquals(TrnFile.read(alone.resolve("ctc_greedy/hyp.trn")), TrnFile.read(mixed.resolve(
                "ctc_greedy/hyp.trn")), "ctc_greedy decodes the same with or without streaming in the list");
        EvalReport chunked = Evaluator.builder().setModelDir(modelDir).setData(data).optOutput(tmp.resolve(
                "eval-chunk4")).optModes(List.of(DecodeMode.CTC_GREEDY)).optDecodingChunk(4, 2).build().run();
        assertEquals("chunk 4, 2 left chunks", chunked.modes().get(0).context(), "an explicit chunk applies to all");
    }

    @Test
    void reportCountsEqualTheCalculatorOnTheWrittenTrnFiles() throws IOException {
        Path out = tmp.resolve("eval-all");
        EvalReport report = Evaluator.builder().setModelDir(modelDir).setData(data).optOutput(out)
                .optModes(List.of(DecodeMode.CTC_GREEDY, DecodeMode.CTC_PREFIX_BEAM_SEARCH,
                        DecodeMode.ATTENTION_RESCORING))
                .optBeamSize(4).build().run();
        JsonNode json = ConfigLoader.json().readTree(out.resolve("report.json").toFile());
        for (DecodeMode mode : report.modes().stream().map(ModeResult::mode).toList()) {
            List<Transcript> refs = TrnFile.read(out.resolve(mode.id()).resolve("ref.trn"));
            List<Transcript> hyps = TrnFile.read(out.resolve(mode.id()).resolve("hyp.trn"));
            assertEquals(4, refs.size(), mode + ": one reference line per utterance");
            assertEquals(4, hyps.size(), mode + ": one hypothesis line per utterance");
            ErrorRateReport recomputed = ErrorRateCalculator.sclite().score(refs, hyps);
            JsonNode m = json.get("modes").get(mode.id());
            assertCounts(recomputed.words(), m.get("words"), mode + " words");
            assertCounts(recomputed.characters(), m.get("characters"), mode + " characters");
            assertEquals(recomputed.wer(), m.get("wer").asDouble(), 1e-12, mode + " WER");
            assertEquals(recomputed.cer(), m.get("cer").asDouble(), 1e-12, mode + " CER");
            assertEquals(4, m.get("utterances").asInt());
            double audio = m.get("audio_seconds").asDouble();
            assertTrue(audio > 1, mode + " audio seconds " + audio);
            assertEquals(m.get("decode_seconds").asDouble() / audio, m.get("rtf").asDouble(), 1e-9, "RTF");
            System.out.printf("%s: WER %.3f CER %.3f RTF %.4f%n", mode.id(), recomputed.wer(), recomputed.cer(),
                    m.get("rtf").asDouble());
        }
        assertTrue(Files.exists(out.resolve("routing.json")), "omni model: routing statistics written");
        assertEquals(ModelDirectory.read(modelDir).modelConfig(), ConfigLoader.bind(json.get("model_config"),
                org.omnispark.trainer.config.ModelConfig.class, "report"), "report carries the model config");
    }

    /** submit/read_report.py, which the recipes use, reads what eval and train write (field names and units). */
    @Test
    void theRecipesReaderReadsTheReportAndTheModelFolder() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        org.omnispark.data.tools.RequiredTools.check(Files.isExecutable(python),
                "/usr/bin/python3 runs the recipes' reader (apt-get install python3)");
        Path out = tmp.resolve("eval-recipe");
        EvalReport report = Evaluator.builder().setModelDir(modelDir).setData(data).optOutput(out)
                .optModes(List.of(DecodeMode.CTC_GREEDY, DecodeMode.ATTENTION_RESCORING)).build().run();
        Path script = org.omnispark.trainer.model.TinyDatasets.repoRoot().resolve("submit/read_report.py");
        String reportFile = out.resolve("report.json").toString();
        ModeResult rescoring = report.modes().get(1);
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f %.2f", 100 * rescoring.errors().cer(),
                100 * rescoring.errors().cer()), run(python, script, "value", "cer", "attention_rescoring",
                reportFile, reportFile).output());
        assertEquals(String.format(java.util.Locale.ROOT, "ctc_greedy %.3f attention_rescoring %.3f",
                report.modes().get(0).realTimeFactor(), rescoring.realTimeFactor()),
                run(python, script, "rtf", reportFile).output());
        boolean decoder = ModelDirectory.read(modelDir).modelConfig().decoderConf().numBlocks() > 0;
        assertEquals(decoder ? 0 : 1, run(python, script, "has-decoder", modelDir.toString()).code());
        assertEquals(2, run(python, script, "nonsense").code(), "a wrong call prints the usage");
    }

    private record Ran(int code, String output) {}

    private static Ran run(Path python, Path script, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(python.toString(), script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "read_report.py finished");
        return new Ran(p.exitValue(), text);
    }

    private static void assertCounts(EditCounts expected, JsonNode actual, String what) {
        assertEquals(expected.substitutions(), actual.get("substitutions").asLong(), what + " S");
        assertEquals(expected.deletions(), actual.get("deletions").asLong(), what + " D");
        assertEquals(expected.insertions(), actual.get("insertions").asLong(), what + " I");
        assertEquals(expected.referenceLength(), actual.get("reference").asLong(), what + " N");
    }

    @Test
    void streamingDecodeEqualsTheChunkMaskedFullDecode() throws IOException {
        Path out = tmp.resolve("eval-stream");
        // batches of 1 (no padding) so both paths see the same frames; chunk 4 output frames, all left context
        Evaluator.builder().setModelDir(modelDir).setData(data).optOutput(out)
                .optModes(List.of(DecodeMode.STREAMING, DecodeMode.CTC_GREEDY)).optDecodingChunk(4, -1)
                .optBatch(100000, 1).build().run();
        List<Transcript> streamed = TrnFile.read(out.resolve("streaming/hyp.trn"));
        List<Transcript> masked = TrnFile.read(out.resolve("ctc_greedy/hyp.trn"));
        assertEquals(masked, streamed, "CTC greedy on the streamed encoder output = on the chunk-masked one");

        // and the encoder outputs themselves, per utterance
        Engine.getEngine("PyTorch");
        JniUtils.setGradMode(false);
        ModelDirectory dir = ModelDirectory.read(modelDir);
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            U2Model model = dir.newModel(root);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir.checkpointDirectory()).build();
            checkpoints.restore(checkpoints.latest().orElseThrow(), model.parameters(), null);
            int checked = 0;
            for (List<Utterance> us : BucketedBatches.builder().setDataset(data).optMaxBatchSize(1).build()) {
                try (NDManager scope = root.newSubManager()) {
                    Batch batch = new BatchCollator(80).collate(scope, us);
                    for (int left : new int[] {-1, 1}) {
                        NDArray full = model.encode(batch.features(), batch.featureLengths(),
                                new ChunkMasks.Choice(4, left)).output(); // [1, T', d]
                        NDArray stream = model.encoder().forwardChunkByChunk(batch.features(), 4, left);
                        assertEquals(full.getShape(), stream.getShape(), "T' of both paths");
                        float maxDiff = full.sub(stream).abs().max().getFloat();
                        assertTrue(maxDiff < 1e-4, us.get(0).key() + " left " + left + ": max |diff| " + maxDiff);
                    }
                    checked++;
                }
            }
            assertEquals(4, checked);
        }
    }
}
