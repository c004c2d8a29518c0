package org.omnispark.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.tools.RequiredTools;
import org.omnispark.trainer.loop.Trainer;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.infra.CheckpointManager;

/**
 * A trained Switch model (two routers, four experts per MoE layer) exported to safetensors and read back by an
 * independent reader (src/test/python/read_safetensors.py, the format's spec in the standard library): every
 * parameter is there under its WeNet name, with WeNet's layout (Linear weights [out, in], one tensor per expert),
 * and its values equal the checkpoint's (sum, first and last values of each tensor).
 */
class SafetensorsExportTest {
    @Test
    void theExportReadsBackWithWenetNamesAndTheCheckpointsValues(@TempDir Path tmp) throws Exception {
        Path data = TinyDatasets.dataset(8);
        Path model = tmp.resolve("model");
        Trainer.builder().setModelConfig(TinyDatasets.model("switch")).setTrainConfig(TinyDatasets.train(
                "max_steps=2")).setTrainData(data).setOutput(model).build().run();
        Path out = tmp.resolve("export");
        int tensors = SafetensorsExport.export(model, null, out);
        assertTrue(Files.exists(out.resolve("config.json")) && Files.exists(out.resolve("units.txt")));

        Path python = Path.of("/usr/bin/python3");
        RequiredTools.check(Files.isExecutable(python), "/usr/bin/python3 reads the export (apt-get install python3)");
        Process p = new ProcessBuilder(python.toString(), Path.of("src/test/python/read_safetensors.py")
                .toAbsolutePath().toString(), out.resolve(SafetensorsExport.WEIGHTS).toString())
                .redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), printed);
        JsonNode read = new ObjectMapper().readTree(printed);
        assertEquals("pt", read.path("metadata").path("format").asText());
        assertTrue(read.path("metadata").path("omnispark_config").asText().contains("\"num_experts\""));
        JsonNode files = read.path("tensors");
        assertEquals(tensors, files.size());

        // The expected values, from the checkpoint through DJL (not through the exporter's code).
        Map<String, float[]> expected = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        ModelDirectory dir = ModelDirectory.read(model);
        CheckpointManager ckpts = CheckpointManager.builder().setDirectory(dir.checkpointDirectory()).build();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model u2 = dir.newModel(m);
            ckpts.restore(ckpts.latest().orElseThrow(), u2.parameters(), null);
            for (ModelParameter param : u2.parameters()) {
                NDArray a = param.array().toType(DataType.FLOAT32, false);
                String n = param.name();
                if (n.endsWith("experts.w1")) {
                    String base = n.replace("encoder.layers.", "encoder.encoders.").replace(".w1", ".");
                    for (int e = 0; e < a.getShape().get(0); e++) {
                        expected.put(base + e + ".w_1.weight", a.get(e).transpose().toFloatArray());
                        shapes.put(base + e + ".w_1.weight", new long[] {a.getShape().get(2), a.getShape().get(1)});
                    }
                } else if (n.equals("encoder.layers.0.self_attn.linear_q.weight")) {
                    expected.put("encoder.encoders.0.self_attn.linear_q.weight", a.transpose().toFloatArray());
                    shapes.put("encoder.encoders.0.self_attn.linear_q.weight", a.getShape().getShape());
                } else if (n.equals("ctc.weight")) {
                    expected.put("ctc.ctc_lo.weight", a.transpose().toFloatArray());
                    shapes.put("ctc.ctc_lo.weight", new long[] {a.getShape().get(1), a.getShape().get(0)});
                } else if (n.equals("decoder.left_decoder.embed.weight")) {
                    expected.put("decoder.left_decoder.embed.0.weight", a.toFloatArray());
                    shapes.put("decoder.left_decoder.embed.0.weight", a.getShape().getShape());
                } else if (n.equals("encoder.ffn0.router.gate")) {
                    expected.put("encoder.routers.0.gate.weight", a.transpose().toFloatArray());
                    shapes.put("encoder.routers.0.gate.weight", new long[] {a.getShape().get(1),
                        a.getShape().get(0)});
                }
            }
        }
        assertTrue(expected.size() >= 4 * 4 + 4, "experts of every MoE layer, and the spot checks: " + expected.size());
        double totalAbs = 0;
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            JsonNode t = files.get(e.getKey());
            assertTrue(t != null, e.getKey() + " is in the file; it has " + files.size() + " tensors");
            long[] shape = shapes.get(e.getKey());
            assertEquals(shape.length, t.get("shape").size(), e.getKey());
            for (int i = 0; i < shape.length; i++) {
                assertEquals(shape[i], t.get("shape").get(i).asLong(), e.getKey() + " shape");
            }
            float[] v = e.getValue();
            double sum = 0;
            for (float x : v) {
                sum += x;
                totalAbs += Math.abs(x);
            }
            assertEquals(sum, t.get("sum").asDouble(), 1e-9 * Math.max(1, Math.abs(sum)) + 1e-6, e.getKey() + " sum");
            for (int i = 0; i < Math.min(4, v.length); i++) {
                assertEquals(v[i], (float) t.get("first").get(i).asDouble(), 0f, e.getKey() + " value " + i);
            }
            assertEquals(v[v.length - 1], (float) t.get("last").asDouble(), 0f, e.getKey() + " last value");
        }
        assertTrue(totalAbs > 0, "non-trivial weights");
        assertTrue(files.has("encoder.embed.conv.0.weight") && files.has("encoder.embed.out.0.weight")
                && files.has("decoder.right_decoder.decoders.0.feed_forward.w_1.weight")
                && files.has("encoder.encoders.0.conv_module.pointwise_conv1.weight"), files.toString());
        assertEquals(3, files.get("encoder.encoders.0.conv_module.pointwise_conv1.weight").get("shape").size());
    }
}
