package org.omnispark.data.ingest;

import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference to one member's bytes inside an uncompressed tar file, written as an audio path:
 * {@code tar:<tar uri>!<data offset>:<data length>/<member name>}, e.g.
 * {@code tar:hdfs://nn/corpus/shard-000001.tar!1536:32044/utt-17.wav}. The offset is where the member's data starts
 * in the tar (after its header blocks), the length its size in bytes; the member name is informative (the decoder
 * names the audio by it). Readers open the tar through the Hadoop FileSystem and read that byte range with a
 * positioned read, so nothing is unpacked and any decoder works on the bytes.
 *
 * @param tar the tar file's qualified URI
 * @param offset the member's data offset in bytes
 * @param length the member's data length in bytes
 * @param name the member's name inside the tar
 */
public record TarMember(String tar, long offset, long length, String name) implements Serializable {
    /** The scheme every reference starts with. */
    public static final String PREFIX = "tar:";
    private static final Pattern FORM = Pattern.compile("^tar:(.+?)!(\\d{1,18}):(\\d{1,18})/(.+)$", Pattern.DOTALL);

    public TarMember {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("a tar member's offset and length must be >= 0, got " + offset + ":"
                    + length + " for " + name + " in " + tar);
        }
    }

    /** The reference as an audio path. */
    public String uri() {
        return PREFIX + tar + "!" + offset + ":" + length + "/" + name;
    }

    /** True when {@code audioPath} is a tar member reference (starts with {@value #PREFIX}). */
    public static boolean isReference(String audioPath) {
        return audioPath.startsWith(PREFIX);
    }

    /**
     * Parses a reference; null when {@code audioPath} is no reference at all (an ordinary path or URI).
     *
     * @throws IllegalArgumentException for a {@code tar:} path that does not have the documented form
     */
    public static TarMember parse(String audioPath) {
        if (!isReference(audioPath)) {
            return null;
        }
        Matcher m = FORM.matcher(audioPath);
        if (!m.matches()) {
            throw new IllegalArgumentException("audio path '" + audioPath + "' starts with 'tar:' but is not of the "
                    + "form tar:<tar uri>!<offset>:<length>/<member name>: such paths are written by the wenet_tar "
                    + "and webdataset readers; name a tar member that way, or the audio file itself");
        }
        return new TarMember(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), m.group(4));
    }
}
