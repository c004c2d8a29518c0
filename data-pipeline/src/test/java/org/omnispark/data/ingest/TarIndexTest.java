package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tar grouping on hand-made tars (in memory, {@link TarBytes}): keys, offsets, texts and rejects, every expected value
 * worked out from the 512-byte block layout (header, data padded to 512).
 */
class TarIndexTest {
    static final String URI = "file:/data/s.tar";

    static List<ParsedLine> index(byte[] tar, TarIndex.Naming naming) throws IOException {
        return TarIndex.read(URI, naming, tar.length, (pos, into) -> {
            if (pos < 0 || pos + into.length > tar.length) {
                throw new EOFException("read past the end: " + pos + "+" + into.length);
            }
            System.arraycopy(tar, (int) pos, into, 0, into.length);
        });
    }

    static String describe(ParsedLine p) {
        return p.isMalformed() ? p.keyHint() + " " + p.reason() + " line " + p.line()
                : p.entry().key() + " '" + p.entry().text() + "' " + p.entry().audioPath() + " line " + p.line();
    }

    static List<String> describe(List<ParsedLine> ps) {
        return ps.stream().map(TarIndexTest::describe).toList();
    }

    @Test
    void wenetGroupsByTheLastDotAndPointsIntoTheTar() throws IOException {
        byte[] tar = new TarBytes()
                .file("a.wav", new byte[100])          // header 0, data 512..612, next header 1024
                .file("a.txt", " hi there\n")          // header 1024, data 1536, next 2048
                .file("b.c.wav", new byte[600])        // header 2048, data 2560..3160, padded to 3584
                .file("b.c.txt", "dots")               // header 3584
                .bytes();
        assertEquals(List.of(
                "a 'hi there' tar:" + URI + "!512:100/a.wav line 0",
                "b.c 'dots' tar:" + URI + "!2560:600/b.c.wav line 2"), describe(index(tar, TarIndex.Naming.WENET)));
        ParsedLine a = index(tar, TarIndex.Naming.WENET).get(0);
        assertEquals(URI, a.entry().source());
        assertEquals(0, a.entry().offset(), 0.0);
        assertEquals(-1, a.entry().length(), 0.0);
    }

    @Test
    void webdatasetGroupsByTheFirstDotOfTheBaseName() throws IOException {
        byte[] tar = new TarBytes()
                .file("dir.v1/x.seg.flac", new byte[10])  // key dir.v1/x, extension seg.flac (typed flac)
                .file("dir.v1/x.json", "{\"text\": \"from json\", \"lang\": \"en\"}")
                .file("y.wav", new byte[1])
                .file("y.json", "{\"text\": \"json loses\"}")
                .file("y.txt", "txt wins")
                .bytes();
        assertEquals(List.of(
                "dir.v1/x 'from json' tar:" + URI + "!512:10/dir.v1/x.seg.flac line 0",
                "y 'txt wins' tar:" + URI + "!2560:1/y.wav line 2"),
                describe(index(tar, TarIndex.Naming.WEBDATASET)));
        // WeNet would split the same names at the last dot: x.seg and x are two keys.
        assertEquals(List.of("dir.v1/x.seg MALFORMED_MANIFEST_LINE line 0", "dir.v1/x MISSING_AUDIO line 1",
                "y 'txt wins' tar:" + URI + "!2560:1/y.wav line 2"), describe(index(tar, TarIndex.Naming.WENET)));
    }

    @Test
    void membersWithoutPartnersAndDoubledAudioAreRejectsOtherMembersAreIgnored() throws IOException {
        byte[] tar = new TarBytes()
                .file("notext.wav", new byte[5])       // 0
                .file("noaudio.txt", "alone")          // 1
                .file("two.wav", new byte[5])          // 2
                .file("two.flac", new byte[5])         // 3
                .file("two.txt", "twice")              // 4
                .entry("folder", '5', new byte[0])     // a folder: not a member index
                .file("ok.spk", "speaker 7")           // 5, ignored (WeNet's extra fields)
                .file("ok.mp3", new byte[3])           // 6: header at 5 x 1024 + 512 (folder) + 1024 = 6656
                .file("ok.txt", "fine")                // 7
                .file("bad.wav", new byte[2])          // 8
                .file("bad.json", "{\"sentence\": 1}") // 9
                .bytes();
        List<ParsedLine> rows = index(tar, TarIndex.Naming.WEBDATASET);
        assertEquals(List.of("notext MALFORMED_MANIFEST_LINE line 0", "noaudio MISSING_AUDIO line 1",
                "two MALFORMED_MANIFEST_LINE line 2", "ok 'fine' tar:" + URI + "!7168:3/ok.mp3 line 6",
                "bad MALFORMED_MANIFEST_LINE line 8"), describe(rows));
        assertTrue(rows.get(2).error().contains("2 audio members (two.wav, two.flac)"), rows.get(2).error());
        assertTrue(rows.get(4).error().contains("no \"text\" string field"), rows.get(4).error());
        assertTrue(rows.get(0).error().contains("add notext.txt"), rows.get(0).error());
    }

    @Test
    void aKeySeenAgainLaterIsANewRow() throws IOException {
        byte[] tar = new TarBytes().file("k.wav", new byte[1]).file("k.txt", "one")
                .file("m.wav", new byte[1]).file("m.txt", "two")
                .file("k.wav", new byte[1]).file("k.txt", "three").bytes();
        assertEquals(List.of("k", "m", "k"), index(tar, TarIndex.Naming.WENET).stream()
                .map(p -> p.entry().key()).toList());
    }

    @Test
    void longNamesFromGnuAndPaxHeaders() throws IOException {
        String longName = "x".repeat(150) + ".wav";
        byte[] tar = new TarBytes()
                .entry("././@LongLink", 'L', (longName + "\0").getBytes(StandardCharsets.UTF_8)) // 0, data 512
                .file("xxxx.wav", new byte[7])                                                     // 1024, data 1536
                .entry("PaxHeader", 'x', "36 path=xxxxxxxxxxxxxxxxxxxxxxx.txt\n".getBytes(StandardCharsets.UTF_8))
                .file("short.txt", "pax text")                                                    // 3072, data 3584
                .bytes();
        List<ParsedLine> rows = index(tar, TarIndex.Naming.WENET);
        assertEquals(List.of("x".repeat(150) + " MALFORMED_MANIFEST_LINE line 0",
                "xxxxxxxxxxxxxxxxxxxxxxx MISSING_AUDIO line 1"), describe(rows));
        assertTrue(rows.get(0).error().contains("(" + longName + ")"), rows.get(0).error());
        // a pax record's length counts itself: "36 " (3) + "path=" (5) + 23 x + ".txt" (4) + "\n" (1) = 36
        assertEquals(36, "36 path=xxxxxxxxxxxxxxxxxxxxxxx.txt\n".length());
        // a record whose length is wrong is ignored: the header's own name (short.txt) counts
        byte[] badPax = new TarBytes()
                .entry("PaxHeader", 'x', "34 path=xxxxxxxxxxxxxxxxxxxxxxx.txt\n".getBytes(StandardCharsets.UTF_8))
                .file("short.txt", "pax text").bytes();
        assertEquals(List.of("short MISSING_AUDIO line 0"), describe(index(badPax, TarIndex.Naming.WENET)));
    }

    @Test
    void damageKeepsTheRowsBeforeItAndIsOneRejectNamingTheOffset() throws IOException {
        byte[] good = new TarBytes().file("a.wav", new byte[100]).file("a.txt", "first")
                .file("b.wav", new byte[100]).file("b.txt", "second").bytes();
        // a flipped byte in b.wav's header (at 2048): its checksum no longer holds
        byte[] flipped = good.clone();
        flipped[2048 + 3] ^= 0x20;
        assertEquals(List.of("a 'first' tar:" + URI + "!512:100/a.wav line 0",
                URI + "@2048 MALFORMED_MANIFEST_LINE line 2"), describe(index(flipped, TarIndex.Naming.WENET)));
        // cut inside b.wav's data (its header at 2048, data 2560..2660): b.wav declares more than follows
        byte[] cut = Arrays.copyOf(good, 2600);
        List<ParsedLine> rows = index(cut, TarIndex.Naming.WENET);
        assertEquals(List.of("a 'first' tar:" + URI + "!512:100/a.wav line 0",
                URI + "@2048 MALFORMED_MANIFEST_LINE line 2"), describe(rows));
        assertTrue(rows.get(1).error().contains("member 'b.wav' declares 100 bytes but only 40 follow"),
                rows.get(1).error());
        // cut inside a header: a.wav's data ends at 1024, b's group never starts
        assertEquals(List.of("a 'first' tar:" + URI + "!512:100/a.wav line 0",
                URI + "@2048 MALFORMED_MANIFEST_LINE line 2"),
                describe(index(Arrays.copyOf(good, 2048 + 100), TarIndex.Naming.WENET)));
        // cut between a.wav and a.txt: a loses its text, then the damage
        assertEquals(List.of("a MALFORMED_MANIFEST_LINE line 0", URI + "@1024 MALFORMED_MANIFEST_LINE line 1"),
                describe(index(Arrays.copyOf(good, 1100), TarIndex.Naming.WENET)));
        // a tar cut right after a whole member (no end blocks) is whole
        assertEquals(2, index(new TarBytes().file("a.wav", new byte[1]).file("a.txt", "t").file("b.wav",
                new byte[1]).file("b.txt", "u").bytesWithoutEnd(), TarIndex.Naming.WENET).size());
    }

    @Test
    void notATarIsOneReject() throws IOException {
        byte[] gz = new byte[2048];
        gz[0] = 0x1f;
        gz[1] = (byte) 0x8b;
        List<ParsedLine> rows = index(gz, TarIndex.Naming.WEBDATASET);
        assertEquals(List.of(URI + "@0 MALFORMED_MANIFEST_LINE line 0"), describe(rows));
        assertTrue(rows.get(0).error().contains("gzip-compressed"), rows.get(0).error());
        assertTrue(index(new byte[0], TarIndex.Naming.WENET).get(0).error().contains("the file is empty"));
        byte[] text = "hello, I am a list\n".repeat(60).getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(URI + "@0 MALFORMED_MANIFEST_LINE line 0"), describe(index(text,
                TarIndex.Naming.WENET)));
    }

    @Test
    void hugeDeclaredSizesAreDamageNotAllocations() throws IOException {
        byte[] h = TarBytes.header("big.txt", '0', 077777777777L); // 8 GiB of text declared, 0 bytes follow
        byte[] tar = Arrays.copyOf(h, 4096);
        assertEquals(List.of(URI + "@0 MALFORMED_MANIFEST_LINE line 0"), describe(index(tar,
                TarIndex.Naming.WENET)));
        // a 2 MiB text member (over the 1 MiB limit) is its key's reject, not a 2 MiB string
        byte[] big = new TarBytes().file("t.wav", new byte[1]).file("t.txt", new byte[2 << 20]).bytes();
        List<ParsedLine> rows = index(big, TarIndex.Naming.WENET);
        assertEquals(List.of("t MALFORMED_MANIFEST_LINE line 0"), describe(rows));
        assertTrue(rows.get(0).error().contains("over the 1048576 a transcript may have"), rows.get(0).error());
    }

    /** Random truncations and byte flips of a good tar: every run ends, with rows and rejects, never an exception. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fuzzedTarsNeverThrowNorHang() throws IOException {
        TarBytes b = new TarBytes();
        for (int i = 0; i < 6; i++) {
            b.file("u" + i + ".wav", new byte[300 + i * 100]).file("u" + i + ".txt", "text " + i);
        }
        byte[] good = b.bytes();
        Random rnd = new Random(5);
        int damaged = 0;
        for (int round = 0; round < 2000; round++) {
            byte[] m;
            if (round % 2 == 0) {
                m = Arrays.copyOf(good, rnd.nextInt(good.length));
            } else {
                m = good.clone();
                for (int k = 0, n = 1 + rnd.nextInt(8); k < n; k++) {
                    int block = rnd.nextInt(m.length / 512);
                    m[block * 512 + rnd.nextInt(512)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            List<ParsedLine> rows = index(m, TarIndex.Naming.WENET);
            List<Long> lines = new ArrayList<>();
            for (ParsedLine p : rows) {
                assertTrue(p.line() >= 0 && p.line() <= 12, describe(p));
                assertTrue(!lines.contains(p.line()), "two rows on one line: " + describe(rows));
                lines.add(p.line());
                if (p.keyHint().contains("@")) {
                    damaged++;
                }
            }
        }
        assertTrue(damaged > 900, "most mutants are damaged tars: " + damaged);
    }

    @Test
    void memberReferences() {
        TarMember m = new TarMember("hdfs://nn:8020/c/s-1.tar", 1536, 32044, "dir/utt 7.wav");
        assertEquals("tar:hdfs://nn:8020/c/s-1.tar!1536:32044/dir/utt 7.wav", m.uri());
        assertEquals(m, TarMember.parse(m.uri()));
        assertEquals(new TarMember("file:/a!b.tar", 512, 9, "x!1:2/y.wav"),
                TarMember.parse("tar:file:/a!b.tar!512:9/x!1:2/y.wav"));
        assertNull(TarMember.parse("file:/a/b.wav"));
        assertNull(TarMember.parse("/data/tar:x.wav"));
        assertThrows(IllegalArgumentException.class, () -> TarMember.parse("tar:file:/a.tar!x:9/y.wav"));
        assertThrows(IllegalArgumentException.class, () -> TarMember.parse("tar:file:/a.tar"));
    }

    @Test
    void bracePatterns() {
        assertEquals(List.of("s-000008.tar", "s-000009.tar", "s-000010.tar"),
                TarShardList.expand("s-{000008..000010}.tar"));
        assertEquals(List.of("a-1", "a-2", "b-1", "b-2"), TarShardList.expand("{a,b}-{1..2}"));
        assertEquals(List.of("plain.tar"), TarShardList.expand("plain.tar"));
        assertThrows(IllegalArgumentException.class, () -> TarShardList.expand("s-{9..1}.tar"));
    }

    @Test
    void formatNames() {
        assertEquals(ManifestFormat.WENET_TAR, ManifestFormat.parse("wenet_tar"));
        assertEquals(ManifestFormat.WEBDATASET, ManifestFormat.parse("webdataset"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManifestFormat.parse("tar"));
        assertTrue(e.getMessage().contains("auto, jsonl, kaldi, lhotse, wenet_tar, webdataset"), e.getMessage());
    }
}
