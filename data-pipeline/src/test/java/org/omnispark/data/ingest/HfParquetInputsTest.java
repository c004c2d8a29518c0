package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which Parquet files an hf_parquet input names, and what auto makes of .parquet files, folders and globs. */
class HfParquetInputsTest {
    private static final Configuration CONF = new Configuration();

    private static ManifestInputs.Input resolve(String p, ManifestFormat f) {
        return ManifestInputs.resolve(CONF, List.of(p), f).get(0);
    }

    @Test
    void filesFoldersAndGlobs(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        for (String n : List.of("train-00001-of-00002.parquet", "train-00000-of-00002.parquet",
                "test-00000-of-00001.parquet")) {
            Files.write(data.resolve(n), new byte[16]);
        }
        Files.writeString(data.resolve("README.md"), "not a table");
        String train0 = TarInputsTest.uri(data.resolve("train-00000-of-00002.parquet"));
        String train1 = TarInputsTest.uri(data.resolve("train-00001-of-00002.parquet"));
        String test0 = TarInputsTest.uri(data.resolve("test-00000-of-00001.parquet"));

        ManifestInputs.Input folder = resolve(data.toString(), ManifestFormat.AUTO);
        assertEquals(ManifestInputs.Kind.HF_PARQUET, folder.kind(), "a folder of .parquet files");
        assertEquals(List.of(test0, train0, train1), folder.tars(), "sorted by name, the README left out");
        assertEquals(folder.tars(), folder.rowSources(), "each file is a source of its rows");
        ManifestInputs.Input glob = resolve(data + "/train-*.parquet", ManifestFormat.AUTO);
        assertEquals(ManifestInputs.Kind.HF_PARQUET, glob.kind());
        assertEquals(List.of(train0, train1), glob.tars(), "a split by glob");
        assertEquals(List.of(train1), resolve(data.resolve("train-00001-of-00002.parquet").toString(),
                ManifestFormat.AUTO).tars());
        assertEquals(List.of(train0, train1), resolve(data + "/train-*", ManifestFormat.HF_PARQUET).tars(),
                "named: any glob");

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> resolve(data + "/dev-*.parquet", ManifestFormat.HF_PARQUET));
        assertTrue(none.getMessage().contains("names no Parquet file") && none.getMessage().contains("glob"),
                none.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> resolve(tmp.resolve("nothing").toString(), ManifestFormat.HF_PARQUET));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path kaldi = Files.createDirectories(tmp.resolve("kaldi"));
        Files.writeString(kaldi.resolve("text"), "u1 hello\n");
        Files.writeString(kaldi.resolve("wav.scp"), "u1 a.wav\n");
        Files.write(kaldi.resolve("stats.parquet"), new byte[16]);
        assertEquals(ManifestInputs.Kind.KALDI, resolve(kaldi.toString(), ManifestFormat.AUTO).kind(),
                "a Kaldi folder stays Kaldi whatever else it holds");
    
    }

    @Test
    void autoFindsNemoTarredSetsByTheirManifestAndTars(@TempDir Path tmp) throws IOException {
        Path nemo = Path.of("src/test/resources/tar/nemo").toAbsolutePath();
        ManifestInputs.Input byFolder = resolve(nemo.toString(), ManifestFormat.AUTO);
        assertEquals(ManifestInputs.Kind.NEMO_TAR, byFolder.kind());
        assertEquals(resolve(nemo.toString(), ManifestFormat.NEMO_TAR), byFolder);
        assertEquals(byFolder, resolve(nemo.resolve("tarred_audio_manifest.json").toString(), ManifestFormat.AUTO));
        Path alone = Files.createDirectories(tmp.resolve("alone")).resolve("tarred_audio_manifest.json");
        Files.copy(nemo.resolve("tarred_audio_manifest.json"), alone);
        assertEquals(ManifestInputs.Kind.JSONL, resolve(alone.toString(), ManifestFormat.AUTO).kind(),
                "without audio_<N>.tar beside it, the manifest is plain JSON lines");
    }
}
