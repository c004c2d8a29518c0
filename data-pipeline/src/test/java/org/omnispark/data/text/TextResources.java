package org.omnispark.data.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test fixtures under src/test/resources/text (made by src/test/scripts/make_text_golden.py). */
final class TextResources {
    private TextResources() {
    }

    static Path path(String name) {
        URL url = TextResources.class.getResource("/text/" + name);
        if (url == null) {
            throw new IllegalStateException("Missing test resource text/" + name
                    + "; regenerate with /usr/bin/python3 data-pipeline/src/test/scripts/make_text_golden.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file's lines, split on '\n' only (a sentence may hold a tab or other whitespace). */
    static List<String> lines(String name) {
        try {
            String s = Files.readString(path(name), StandardCharsets.UTF_8);
            if (s.endsWith("\n")) {
                s = s.substring(0, s.length() - 1);
            }
            return List.of(s.split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
