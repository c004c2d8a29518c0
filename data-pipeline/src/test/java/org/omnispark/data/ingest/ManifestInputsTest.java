package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link ManifestInputs} makes of each path for each {@link ManifestFormat}, on the local Hadoop FileSystem. */
class ManifestInputsTest {
    private static final String CUT = "{\"id\": \"c\", \"start\": 0, \"duration\": 1, \"channel\": 0, "
            + "\"supervisions\": [], \"type\": \"MonoCut\"}";
    private static final String RECORDING = "{\"id\": \"r\", \"sources\": [{\"type\": \"file\", \"channels\": [0], "
            + "\"source\": \"a.wav\"}], \"sampling_rate\": 16000, \"num_samples\": 16000, \"duration\": 1.0}";
    private static final String SUPERVISION = "{\"id\": \"s\", \"recording_id\": \"r\", \"start\": 0, "
            + "\"duration\": 1, \"channel\": 0, \"text\": \"x\"}";
    private static final String OMNISPARK = "{\"key\": \"u\", \"audio\": \"a.wav\", \"text\": \"x\"}";

    @TempDir
    Path tmp;

    private final Configuration conf = new Configuration();

    private Path write(String name, String... lines) throws IOException {
        Path p = tmp.resolve(name);
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = name.endsWith(".gz") ? new GZIPOutputStream(Files.newOutputStream(p))
                : Files.newOutputStream(p)) {
            out.write(bytes);
        }
        return p;
    }

    private static String uri(Path p) {
        return "file:" + p.toAbsolutePath();
    }

    private ManifestInputs.Input one(Path p, ManifestFormat f) {
        List<ManifestInputs.Input> in = ManifestInputs.resolve(conf, List.of(p.toString()), f);
        assertEquals(1, in.size(), in::toString);
        return in.get(0);
    }

    @Test
    void autoTellsTheFormatsApart() throws IOException {
        Files.createDirectories(tmp.resolve("kaldi"));
        assertEquals(new ManifestInputs.Input(ManifestInputs.Kind.KALDI, uri(tmp.resolve("kaldi")), null),
                one(tmp.resolve("kaldi"), ManifestFormat.AUTO));
        assertEquals(ManifestInputs.Kind.JSONL, one(write("m.jsonl", OMNISPARK), ManifestFormat.AUTO).kind());
        assertEquals(ManifestInputs.Kind.JSONL, one(write("m.jsonl.gz", OMNISPARK), ManifestFormat.AUTO).kind(),
                "gzipped JSON lines stay JSON lines");
        // By shape, whatever the name, gzipped or not; a first line that does not parse is passed over.
        assertEquals(ManifestInputs.Kind.LHOTSE_CUTS, one(write("train.jsonl.gz", "{broken", "", CUT),
                ManifestFormat.AUTO).kind());
        // By name when no line parses (an empty cuts file).
        assertEquals(ManifestInputs.Kind.LHOTSE_CUTS, one(write("x_cuts_dev.jsonl", ""), ManifestFormat.AUTO).kind());
        // The shape wins over the name: an OmniSpark manifest called my_cuts.jsonl is JSON lines.
        assertEquals(ManifestInputs.Kind.JSONL, one(write("my_cuts.jsonl", OMNISPARK), ManifestFormat.AUTO).kind());
    }

    @Test
    void eitherFileOfAPairNamesBothAndThePairIsReadOnce() throws IOException {
        Path sups = write("corpus_supervisions_dev.jsonl.gz", SUPERVISION);
        Path recs = write("corpus_recordings_dev.jsonl", RECORDING); // plain beside gzipped: found all the same
        ManifestInputs.Input pair = new ManifestInputs.Input(ManifestInputs.Kind.LHOTSE_PAIR, uri(sups), uri(recs));
        assertEquals(pair, one(sups, ManifestFormat.AUTO));
        assertEquals(pair, one(recs, ManifestFormat.LHOTSE));
        assertEquals(List.of(pair), ManifestInputs.resolve(conf, List.of(recs.toString(), sups.toString()),
                ManifestFormat.AUTO));
        assertEquals(List.of(uri(sups), uri(recs)), pair.rowSources());
        // Any other file named twice is read twice (its second rows become DUPLICATE_KEY rejects), as before.
        Path cuts = write("cuts.jsonl", CUT);
        assertEquals(2, ManifestInputs.resolve(conf, List.of(cuts.toString(), cuts.toString()), ManifestFormat.AUTO)
                .size());
    }

    @Test
    void aPairWithoutItsPartnerSaysWhatToDo() throws IOException {
        Path sups = write("a_supervisions_x.jsonl.gz", SUPERVISION);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> one(sups,
                ManifestFormat.AUTO));
        assertTrue(e.getMessage().contains("expected a_recordings_x.jsonl.gz beside it"), e.getMessage());
        Path unnamed = write("data.jsonl", RECORDING);
        e = assertThrows(IllegalArgumentException.class, () -> one(unnamed, ManifestFormat.AUTO));
        assertTrue(e.getMessage().contains("its name has no 'recordings'"), e.getMessage());
    }

    @Test
    void explicitFormatsAreObeyedAndMisfitsAreErrors() throws IOException {
        Path cuts = write("cuts.jsonl.gz", CUT);
        assertEquals(ManifestInputs.Kind.JSONL, one(cuts, ManifestFormat.JSONL).kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> one(cuts,
                ManifestFormat.KALDI));
        assertTrue(e.getMessage().contains("needs a data directory") && e.getMessage().contains("auto, jsonl, kaldi,"
                + " lhotse"), e.getMessage());
        Files.createDirectories(tmp.resolve("d"));
        e = assertThrows(IllegalArgumentException.class, () -> one(tmp.resolve("d"), ManifestFormat.LHOTSE));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        Path plain = write("manifest.jsonl", OMNISPARK);
        e = assertThrows(IllegalArgumentException.class, () -> one(plain, ManifestFormat.LHOTSE));
        assertTrue(e.getMessage().contains("cannot tell what Lhotse manifest"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> one(tmp.resolve("nope.jsonl"), ManifestFormat.AUTO));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void formatNames() {
        assertEquals(List.of("auto", "jsonl", "kaldi", "lhotse", "wenet_tar", "webdataset",
                "nemo_tar", "lhotse_shar", "hf_parquet"), ManifestFormat.names());
        assertEquals(ManifestFormat.LHOTSE, ManifestFormat.parse("lhotse"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ManifestFormat.parse("LHOTSE"));
        assertTrue(e.getMessage().contains("unknown manifest format 'LHOTSE': use one of auto, jsonl, kaldi, lhotse"),
                e.getMessage());
    }
}
