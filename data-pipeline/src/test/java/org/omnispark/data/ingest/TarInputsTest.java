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

/** Which tars a wenet_tar or webdataset input names, and what auto makes of tars and lists (no Spark needed). */
class TarInputsTest {
    private static final Configuration CONF = new Configuration();

    static String uri(Path p) {
        return "file:" + p.toAbsolutePath();
    }

    private static ManifestInputs.Input resolve(String p, ManifestFormat f) {
        return ManifestInputs.resolve(CONF, List.of(p), f).get(0);
    }

    @Test
    void listsFoldersPatternsAndAuto(@TempDir Path tmp) throws IOException {
        Path shards = Files.createDirectories(tmp.resolve("shards"));
        for (String n : List.of("s-000.tar", "s-001.tar", "s-002.tar")) {
            Files.write(shards.resolve(n), new byte[1024]);
        }
        Files.writeString(shards.resolve("notes.txt"), "not a tar");
        Path list = tmp.resolve("data.list");
        Files.writeString(list, "shards/s-001.tar\n\n  " + uri(shards.resolve("s-000.tar")) + "  \n");
        List<String> fromList = List.of(uri(shards.resolve("s-001.tar")), uri(shards.resolve("s-000.tar")));

        ManifestInputs.Input wenet = resolve(list.toString(), ManifestFormat.AUTO);
        assertEquals(ManifestInputs.Kind.WENET_TAR, wenet.kind(), "a list whose first line ends in .tar");
        assertEquals(fromList, wenet.tars(), "in the list's order, relative to its folder");
        assertEquals(fromList, wenet.rowSources());
        assertEquals(fromList, resolve(list.toString(), ManifestFormat.WENET_TAR).tars());

        List<String> all = List.of(uri(shards.resolve("s-000.tar")), uri(shards.resolve("s-001.tar")),
                uri(shards.resolve("s-002.tar")));
        ManifestInputs.Input folder = resolve(shards.toString(), ManifestFormat.AUTO);
        assertEquals(ManifestInputs.Kind.WEBDATASET, folder.kind(), "a folder of tars without Kaldi's text");
        assertEquals(all, folder.tars(), "by name, the .txt left out");
        assertEquals(all, resolve(shards + "/s-{000..002}.tar", ManifestFormat.AUTO).tars());
        assertEquals(List.of(all.get(1)), resolve(shards.resolve("s-001.tar").toString(), ManifestFormat.AUTO).tars());
        assertEquals(ManifestInputs.Kind.WENET_TAR,
                resolve(shards.resolve("s-001.tar").toString(), ManifestFormat.WENET_TAR).kind());

        assertEquals(all, resolve(shards + "/s-_OP_000..002_CL_.tar", ManifestFormat.WEBDATASET).tars(),
                "NeMo's _OP_ and _CL_ for braces");

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> resolve(shards + "/s-{000..003}.tar", ManifestFormat.WEBDATASET));
        assertTrue(missing.getMessage().contains("s-003.tar (named by " + shards + "/s-{000..003}.tar) does not "
                + "exist"), missing.getMessage());
        Files.writeString(list, "shards/gone.tar\n");
        assertThrows(IllegalArgumentException.class, () -> resolve(list.toString(), ManifestFormat.AUTO));
        // a JSON-lines manifest stays JSON lines, even when a path in it ends in .tar
        Path jsonl = tmp.resolve("m.jsonl");
        Files.writeString(jsonl, "{\"key\": \"a\", \"wav\": \"x.tar\", \"text\": \"t\"}\n");
        assertEquals(ManifestInputs.Kind.JSONL, resolve(jsonl.toString(), ManifestFormat.AUTO).kind());
    }

    @Test
    void nemoTarsAreTheAudioTarsBesideTheManifestByNumber(@TempDir Path tmp) throws IOException {
        for (String n : List.of("audio_10.tar", "audio_2.tar", "audio_0.tar", "other.tar")) {
            Files.write(tmp.resolve(n), new byte[1024]);
        }
        Path manifest = tmp.resolve("tarred_audio_manifest.json");
        Files.writeString(manifest, "{}\n");
        List<String> tars = List.of(uri(tmp.resolve("audio_0.tar")), uri(tmp.resolve("audio_2.tar")),
                uri(tmp.resolve("audio_10.tar")));
        ManifestInputs.Input byFolder = resolve(tmp.toString(), ManifestFormat.NEMO_TAR);
        assertEquals(new ManifestInputs.Input(ManifestInputs.Kind.NEMO_TAR, uri(manifest), null, tars), byFolder);
        assertEquals(byFolder, resolve(manifest.toString(), ManifestFormat.NEMO_TAR));
        List<String> sources = new java.util.ArrayList<>(List.of(uri(manifest)));
        sources.addAll(tars);
        assertEquals(sources, byFolder.rowSources(), "the manifest, then each tar (its damage is its own reject)");
        Files.delete(manifest);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve(tmp.toString(), ManifestFormat.NEMO_TAR));
        assertTrue(e.getMessage().contains("tarred_audio_manifest.json does not exist"), e.getMessage());
    }
}
