package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OMNISPARK_SUBMIT_OPTS is split as bash splits words, and the dry run quotes so that bash reads it back. */
class ShellWordsTest {

    @Test
    void splitsLikeAShellWithoutExpanding() {
        assertEquals(List.of("--name", "my job", "--conf", "spark.x=a b", "it's", "$HOME", "a\"b", "c d", "*"),
                ShellWords.split("  --name 'my job' --conf \"spark.x=a b\" it\\'s '$HOME' \"a\\\"b\" c\\ d *",
                        "X"));
        assertEquals(List.of("ab", ""), ShellWords.split("a'b' ''", "X"));
        assertEquals(List.of(), ShellWords.split(" \t\n", "X"));
    }

    @Test
    void unbalancedQuotesAreRefused() {
        for (String bad : List.of("--name 'x", "--name \"x", "x\\")) {
            LaunchException e = assertThrows(LaunchException.class, () -> ShellWords.split(bad, "OMNISPARK_SUBMIT_OPTS"));
            assertTrue(e.getMessage().startsWith("OMNISPARK_SUBMIT_OPTS "), e.getMessage());
        }
    }

    @Test
    void quotedWordsReadBackUnchangedThroughBash() throws Exception {
        List<String> words = List.of("plain", "a b", "it's", "local[*]", "$HOME", "", "-Dx=\"1\"", "a\\b");
        Process p = new ProcessBuilder("bash", "-c", "for w in " + ShellWords.join(words) + "; do printf '%s\\0' \"$w\"; "
                + "done").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals(words, List.of(out.split("\0", -1)).subList(0, words.size()));
        assertEquals("plain", ShellWords.quote("plain"));
        assertEquals("'local[*]'", ShellWords.quote("local[*]"));
    }
}
