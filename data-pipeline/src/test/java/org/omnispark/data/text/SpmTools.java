package org.omnispark.data.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real spm_encode in tests, when it is on the PATH (tests skip otherwise). */
final class SpmTools {
    private SpmTools() {
    }

    static boolean hasSpmEncode() {
        return org.omnispark.io.ExternalCommand.findOnPath("spm_encode").isPresent();
    }

    /** spm_encode --output_format=piece over the sentences, one output line per sentence. */
    static List<String> spmEncodePieces(Path model, List<String> sentences, Path scratch)
            throws IOException, InterruptedException {
        Path in = scratch.resolve("sentences.txt");
        Path out = scratch.resolve("pieces.txt");
        Files.writeString(in, String.join("\n", sentences) + "\n", StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("spm_encode", "--model=" + model, "--output_format=piece", in.toString())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("spm_encode failed (could it load " + model + "?)");
        }
        String s = Files.readString(out, StandardCharsets.UTF_8);
        return List.of(s.substring(0, Math.max(0, s.length() - 1)).split("\n", -1));
    }
}
