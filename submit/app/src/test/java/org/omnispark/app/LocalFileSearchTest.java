package org.omnispark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileSearchTest {
    @TempDir
    Path root;

    @Test
    void findsWhatMatchesAtAnyDepth() throws IOException {
        Files.createDirectories(root.resolve("a/b/hdfs:"));
        Files.writeString(root.resolve("a/b/dataset.json"), "{}");
        Files.writeString(root.resolve("a/other.txt"), "x");
        List<Path> found = LocalFileSearch.find(root, p -> p.getFileName().toString().matches("hdfs:|dataset\\.json"));
        found.sort(Comparator.naturalOrder());
        assertEquals(List.of(root.resolve("a/b/dataset.json"), root.resolve("a/b/hdfs:")), found);
    }

    /**
     * The CI failure of stop 28: a NodeManager deleted a finished container's folder while the search walked it, and
     * the walk threw NoSuchFileException. Here the first match deletes every folder not yet entered.
     */
    @Test
    void foldersThatVanishDuringTheSearchAreSkipped() throws IOException {
        for (int i = 0; i < 20; i++) {
            Path d = Files.createDirectories(root.resolve("container_" + i + "/sub"));
            Files.writeString(d.resolve("launch.pid"), "1");
        }
        List<Path> deleted = new ArrayList<>();
        List<Path> found = LocalFileSearch.find(root, p -> {
            if (!p.getFileName().toString().equals("launch.pid")) {
                return false;
            }
            if (deleted.isEmpty()) {
                Path mine = root.relativize(p).getName(0);
                try (Stream<Path> top = Files.list(root)) {
                    for (Path d : top.toList()) {
                        if (!d.getFileName().equals(mine)) {
                            deleteTree(d);
                            deleted.add(d);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return true;
        });
        assertEquals(19, deleted.size());
        assertEquals(1, found.size(), "only the first container's file was still there: " + found);
        assertTrue(Files.exists(found.get(0)));
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> all = Files.walk(d)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
