package org.omnispark.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.omnispark.cli.Version;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.io.Location;
import org.omnispark.trainer.metrics.EditCounts;
import org.omnispark.trainer.model.ModelDirectory;

/**
 * Writes an evaluation's {@code report.json}: per mode WER, CER, S/D/I/N (words and characters), utterances, audio
 * and decode seconds, RTF, the chunk and context it decoded with and its trn files; the model folder, checkpoint,
 * data, model config, decoding settings and the OmniSpark version that wrote it.
 */
final class EvalReportWriter {

    /**
     * What was evaluated, and how.
     *
     * @param modelDir the model folder
     * @param dir it, read
     * @param checkpoint the checkpoint restored
     * @param data the dataset decoded
     * @param beamSize the beam of the beam searches
     * @param decodingChunkSize the chunk of chunked modes (0: full context)
     * @param numDecodingLeftChunks the left chunks they see (-1: all)
     */
    record Run(Location modelDir, ModelDirectory dir, org.apache.hadoop.fs.Path checkpoint, Location data,
            int beamSize, int decodingChunkSize, int numDecodingLeftChunks) {}

    private EvalReportWriter() {}

    /**
     * Writes {@code out/report.json}.
     *
     * @param out the local output folder
     * @param run what was evaluated, and how
     * @param results each mode's
     * @return the file
     */
    static Path write(Path out, Run run, List<ModeResult> results) {
        ModelDirectory dir = run.dir();
        ObjectMapper json = ConfigLoader.json();
        ObjectNode root = json.createObjectNode();
        root.put("created_by", Version.describe());
        root.put("model_dir", run.modelDir().toString());
        root.put("model_created_by", dir.createdBy());
        root.put("checkpoint", run.checkpoint().toString());
        root.put("data", run.data().toString());
        root.set("model_config", ModelDirectory.configTree(dir.modelConfig()));
        ObjectNode decodingNode = root.putObject("decoding");
        decodingNode.put("beam_size", run.beamSize());
        decodingNode.put("decoding_chunk_size", run.decodingChunkSize());
        decodingNode.put("num_decoding_left_chunks", run.numDecodingLeftChunks());
        ObjectNode modesNode = root.putObject("modes");
        for (ModeResult r : results) {
            ObjectNode m = modesNode.putObject(r.mode().id());
            m.put("wer", r.errors().wer());
            m.put("cer", r.errors().cer());
            putCounts(m.putObject("words"), r.errors().words());
            putCounts(m.putObject("characters"), r.errors().characters());
            m.put("utterances", r.errors().utterances());
            m.put("audio_seconds", r.audioSeconds());
            m.put("decode_seconds", r.decodeSeconds());
            m.put("rtf", r.realTimeFactor());
            m.put("decoding_chunk_size", r.decodingChunkSize());
            m.put("num_decoding_left_chunks", r.numDecodingLeftChunks());
            m.put("context", r.context());
            m.put("hyp_trn", r.mode().id() + "/" + r.hypothesisFile().name());
            m.put("ref_trn", r.mode().id() + "/" + r.referenceFile().name());
        }
        Path file = out.resolve("report.json");
        try {
            Files.createDirectories(out);
            Files.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static void putCounts(ObjectNode node, EditCounts c) {
        node.put("substitutions", c.substitutions());
        node.put("deletions", c.deletions());
        node.put("insertions", c.insertions());
        node.put("correct", c.correct());
        node.put("reference", c.referenceLength());
        node.put("errors", c.errors());
    }
}
