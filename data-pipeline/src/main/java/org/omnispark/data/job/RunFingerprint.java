package org.omnispark.data.job;

import org.omnispark.cli.Version;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.ingest.ManifestInputs;

/**
 * What identifies a prepare run for resuming: SHA-256 over OmniSpark's version and commit, the effective config and,
 * for every manifest (a JSON-lines file, each file of a Kaldi data dir, a Lhotse cuts file or both files of a Lhotse
 * recordings + supervisions pair), its qualified path, length and
 * modification time. A crashed run's work is resumed only when this is unchanged; audio files are not part of it
 * (there may be millions), so after replacing audio in place, start over with {@code --overwrite} or a new
 * {@code --out}. Audio that was unreadable and came back is safe all the same: a resume keeps the saved
 * {@link ShardPlan}.
 */
final class RunFingerprint {
    private RunFingerprint() {
    }

    static String of(PrepareConfig config, Configuration conf) {
        return of(config, conf, Version.describe());
    }

    /** @param version the code's version and commit: another build may featurize differently, so it starts over */
    static String of(PrepareConfig config, Configuration conf, String version) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((version + "\n").getBytes(StandardCharsets.UTF_8));
            // map keys sorted: Map.copyOf iterates in an order that differs from one JVM to the next
            sha.update(ConfigLoader.json().writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsBytes(config));
            for (String m : ManifestInputs.resolve(conf, config.input().manifests(), config.input().format()).stream()
                    .flatMap(in -> in.rowSources().stream()).toList()) {
                Path q = new Path(m);
                FileSystem fs = q.getFileSystem(conf);
                FileStatus st = fs.getFileStatus(q);
                FileStatus[] files = st.isDirectory() ? fs.listStatus(q) : new FileStatus[] {st};
                Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
                for (FileStatus f : files) {
                    sha.update((f.getPath() + "\t" + f.getLen() + "\t" + f.getModificationTime() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            return "prepare-run sha256:" + HexFormat.of().formatHex(sha.digest()) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifests to fingerprint the run: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
