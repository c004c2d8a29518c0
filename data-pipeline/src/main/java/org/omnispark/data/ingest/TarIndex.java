package org.omnispark.data.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.RejectReason;

/**
 * Indexes one uncompressed tar of utterances (a WeNet shard or a WebDataset shard) without unpacking it: reads the
 * 512-byte headers one by one with positioned reads (audio data is skipped, never read), groups consecutive members by
 * key, reads each group's text member and emits one {@link ParsedLine} per utterance whose audio path is a
 * {@link TarMember} reference to the audio member's bytes.
 *
 * <p>Keys: WeNet ({@code tar_file_and_group}) splits a member name at its LAST dot ({@code a.b.wav}: key {@code a.b});
 * WebDataset splits the base name at its FIRST dot ({@code dir/a.b.wav}: key {@code dir/a}, extension {@code b.wav},
 * typed by its last part). Audio members: wav, flac, mp3, m4a, ogg, opus, wma (any case; the decoder rejects what it
 * cannot decode); text: {@code .txt} (stripped), else the {@code "text"} field of a {@code .json}; other members are
 * ignored. A key seen again after other keys is a new row (the job's duplicate check then rejects it).
 *
 * <p>Rows: source = the tar's URI, line = the 0-based index of the audio member (of the text member when no audio
 * came). Rejects: audio without text and two audio members for one key (MALFORMED_MANIFEST_LINE), text without audio
 * (MISSING_AUDIO), a damaged or truncated tar (one MALFORMED_MANIFEST_LINE row naming the byte offset, key
 * {@code <tar uri>@<offset>}, line = the index the next member would have had; the members before it stay).
 */
public final class TarIndex {
    /** Tar block size. */
    static final int BLOCK = 512;
    /** Largest text, JSON, GNU long-name or pax member read into memory. */
    static final int MAX_TEXT_BYTES = 1 << 20;
    static final Set<String> AUDIO = Set.of("wav", "flac", "mp3", "m4a", "ogg", "opus", "wma");

    /** How a member name splits into key and extension. */
    public enum Naming {
        /** WeNet shards: at the name's last dot. */
        WENET,
        /** WebDataset: at the first dot of the base name (the directory part stays in the key). */
        WEBDATASET;

        /** {key, extension} of a member name; the extension is "" when there is none. */
        String[] split(String name) {
            int slash = name.lastIndexOf('/');
            int dot = this == WENET ? name.lastIndexOf('.') : name.indexOf('.', slash + 1);
            if (dot <= slash + 1 || dot == name.length() - 1) {
                return new String[] {name, ""};
            }
            return new String[] {name.substring(0, dot), name.substring(dot + 1)};
        }
    }

    /** A member as its header describes it. */
    record Member(int index, String name, long offset, long size) {
    }

    private final String uri;
    private final Naming naming; // null: list members (NeMo), no grouping
    private final List<TarMember> listed = new ArrayList<>();
    private final List<ParsedLine> out = new ArrayList<>();
    private final List<Member> group = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private String groupKey;

    private TarIndex(String uri, Naming naming) {
        this.uri = uri;
        this.naming = naming;
    }

    /** Indexes the tar at {@code tar} (qualified URI) through the Hadoop FileSystem; I/O errors fail the caller. */
    public static List<ParsedLine> read(String tar, Naming naming, Configuration conf) throws IOException {
        Path path = new Path(tar);
        FileSystem fs = path.getFileSystem(conf);
        long length = fs.getFileStatus(path).getLen();
        try (FSDataInputStream in = fs.open(path)) {
            return read(tar, naming, length, (pos, buf) -> in.readFully(pos, buf));
        }
    }

    /**
     * Every regular member of the tar at {@code tar} as a reference, in order, plus (last) at most one damage reject:
     * what NeMo's tarred datasets need (their manifest names the members).
     *
     * @param damage receives the damage reject, if any
     */
    public static List<TarMember> members(String tar, Configuration conf, List<ParsedLine> damage)
            throws IOException {
        Path path = new Path(tar);
        FileSystem fs = path.getFileSystem(conf);
        long length = fs.getFileStatus(path).getLen();
        TarIndex index = new TarIndex(tar, null);
        try (FSDataInputStream in = fs.open(path)) {
            index.scan(length, (pos, buf) -> in.readFully(pos, buf));
        }
        damage.addAll(index.out);
        return index.listed;
    }

    /** Positioned reads of the tar's bytes. */
    interface Bytes {
        void read(long position, byte[] into) throws IOException;
    }

    /** Indexes a tar of {@code length} bytes read through {@code bytes}. */
    static List<ParsedLine> read(String uri, Naming naming, long length, Bytes bytes) throws IOException {
        TarIndex index = new TarIndex(uri, naming);
        index.scan(length, bytes);
        return index.out;
    }

    private void scan(long length, Bytes bytes) throws IOException {
        byte[] header = new byte[BLOCK];
        long pos = 0;
        int index = 0;
        String longName = null;
        String paxPath = null;
        long paxSize = -1;
        while (true) {
            if (pos + BLOCK > length) {
                if (pos != length || pos == 0) {
                    damaged(pos, index, pos == 0 && length == 0 ? "the file is empty"
                            : "it ends inside a header (" + (length - pos) + " of " + BLOCK + " bytes)");
                }
                break; // a tar cut right after a member: every member is whole
            }
            bytes.read(pos, header);
            if (allZero(header)) {
                break; // end-of-archive blocks
            }
            String problem = TarHeader.check(header);
            if (problem != null) {
                damaged(pos, index, pos == 0 && (header[0] & 0xff) == 0x1f && (header[1] & 0xff) == 0x8b
                        ? "it is gzip-compressed: member offsets need an uncompressed tar, gunzip it first" : problem);
                break;
            }
            long size = paxSize >= 0 ? paxSize : TarHeader.size(header);
            long data = pos + BLOCK;
            if (size < 0 || size > length - data) {
                damaged(pos, index, size < 0 ? "a header has no valid size" : "member '" + TarHeader.name(header)
                        + "' declares " + size + " bytes but only " + (length - data) + " follow (truncated)");
                break;
            }
            char type = (char) header[156];
            long next = data + (size + BLOCK - 1) / BLOCK * BLOCK;
            if (type == 'L' || type == 'x') {
                if (size > MAX_TEXT_BYTES) {
                    damaged(pos, index, "a " + (type == 'L' ? "GNU long-name" : "pax") + " header of " + size
                            + " bytes (over " + MAX_TEXT_BYTES + ")");
                    break;
                }
                byte[] meta = new byte[(int) size];
                bytes.read(data, meta);
                if (type == 'L') {
                    longName = TarHeader.cString(meta, 0, meta.length);
                } else {
                    paxPath = TarHeader.paxValue(meta, "path");
                    String s = TarHeader.paxValue(meta, "size");
                    paxSize = s == null ? -1 : TarHeader.parseLong(s);
                }
                pos = next;
                continue;
            }
            if (type == '0' || type == '\0' || type == '7') {
                String name = paxPath != null ? paxPath : longName != null ? longName : TarHeader.name(header);
                member(new Member(index++, name, data, size), bytes);
            }
            longName = null;
            paxPath = null;
            paxSize = -1;
            pos = next;
        }
        flush();
    }

    private void member(Member m, Bytes bytes) throws IOException {
        if (naming == null) {
            listed.add(new TarMember(uri, m.offset(), m.size(), m.name()));
            return;
        }
        String[] keyExt = naming.split(m.name());
        if (!keyExt[0].equals(groupKey)) {
            flush();
            groupKey = keyExt[0];
        }
        String ext = keyExt[1];
        String type = ext.substring(ext.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        if (AUDIO.contains(type)) {
            group.add(m);
        } else if (type.equals("txt") || type.equals("json")) {
            if (m.size() > MAX_TEXT_BYTES) {
                texts.add("!member " + m.name() + " is " + m.size() + " bytes, over the " + MAX_TEXT_BYTES
                        + " a transcript may have");
                group.add(new Member(m.index(), m.name(), -1, m.size()));
                return;
            }
            byte[] b = new byte[(int) m.size()];
            bytes.read(m.offset(), b);
            String s = new String(b, StandardCharsets.UTF_8);
            texts.add(type.equals("txt") ? "t" + s.strip() : "j" + s);
            group.add(new Member(m.index(), m.name(), -1, m.size()));
        }
    }

    /** Turns the pending group into its row (or reject). */
    private void flush() {
        if (group.isEmpty()) {
            return;
        }
        String key = groupKey;
        List<Member> audio = group.stream().filter(m -> m.offset() >= 0).toList();
        Member firstText = group.stream().filter(m -> m.offset() < 0).findFirst().orElse(null);
        String text = null;
        String textProblem = null;
        for (String t : texts) { // a .txt wins over a .json
            if (t.startsWith("t") && text == null) {
                text = t.substring(1);
            } else if (t.startsWith("!")) {
                textProblem = t.substring(1);
            }
        }
        for (String t : texts) {
            if (text == null && t.startsWith("j")) {
                JsonNode n = LhotseManifest.readObject(t.substring(1));
                JsonNode v = n == null ? null : n.get("text");
                if (v != null && v.isTextual()) {
                    text = v.asText();
                } else {
                    textProblem = "its .json member has no \"text\" string field";
                }
            }
        }
        group.clear();
        texts.clear();
        if (audio.isEmpty()) {
            out.add(ParsedLine.rejected(RejectReason.MISSING_AUDIO, "key '" + key + "' has a text member ("
                    + firstText.name() + ") but no audio member (.wav, .flac, .mp3, ...) in " + uri
                    + "; add the audio to the shard or drop the text", key, uri, firstText.index()));
        } else if (audio.size() > 1) {
            out.add(ParsedLine.malformed("key '" + key + "' has " + audio.size() + " audio members ("
                    + String.join(", ", audio.stream().map(Member::name).toList()) + ") in " + uri
                    + "; keep one audio member per key", key, uri, audio.get(0).index()));
        } else if (text == null) {
            Member a = audio.get(0);
            out.add(ParsedLine.malformed("key '" + key + "' (" + a.name() + ") has no usable text member in " + uri
                    + (textProblem != null ? ": " + textProblem : ": add " + key + ".txt beside it"), key, uri,
                    a.index()));
        } else {
            Member a = audio.get(0);
            String ref = new TarMember(uri, a.offset(), a.size(), a.name()).uri();
            out.add(ParsedLine.ok(new ManifestEntry(key, ref, text, null, null, null, null, 0, -1, uri,
                    a.index())));
        }
    }

    private void damaged(long offset, int index, String what) {
        flush();
        out.add(ParsedLine.malformed("tar " + uri + " is damaged at byte " + offset + ": " + what + "; the " + index
                + " members before it were read. Re-create or re-download the shard (tar tvf shows how far it reads)",
                uri + "@" + offset, uri, index));
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
