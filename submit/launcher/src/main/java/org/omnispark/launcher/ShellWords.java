package org.omnispark.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Words as a POSIX shell splits them, without running anything: blanks separate words; {@code '...'} keeps
 * everything; {@code "..."} keeps everything but lets a backslash escape {@code " \ $ `}; outside quotes a backslash
 * keeps the next character. No expansion of variables, globs or commands. And the reverse: a word quoted so that a
 * shell reads it back unchanged (the dry run's output can be pasted into a shell).
 */
public final class ShellWords {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./\\-]+");

    private ShellWords() {}

    /**
     * Splits a line into words.
     *
     * @param line e.g. {@code --name 'my job' --conf "spark.x=a b"}
     * @param what what the line is, for the error (e.g. OMNISPARK_SUBMIT_OPTS)
     * @return the words
     * @throws LaunchException for an unbalanced quote or a trailing backslash
     */
    public static List<String> split(String line, String what) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new LaunchException(what + " has unbalanced quotes (a ' is never closed): " + line);
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = line.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        word.append(line.charAt(i + 1));
                        i += 2;
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new LaunchException(what + " has unbalanced quotes (a \" is never closed): " + line);
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new LaunchException(what + " ends with a lone backslash: " + line);
                }
                word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * @param word any string
     * @return the word as a shell reads it back: unchanged when it has no special character, else in single quotes
     */
    public static String quote(String word) {
        if (!word.isEmpty() && PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** @param words a command @return it as one shell line */
    public static String join(List<String> words) {
        List<String> quoted = new ArrayList<>(words.size());
        for (String w : words) {
            quoted.add(quote(w));
        }
        return String.join(" ", quoted);
    }
}
