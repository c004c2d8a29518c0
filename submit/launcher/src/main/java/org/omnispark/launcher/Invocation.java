package org.omnispark.launcher;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code submit/omnispark [--verbose] [--cluster FILE] [--master URL] COMMAND [ARGS...]}: the launcher's own
 * options, then the command and its arguments (OmniSpark's CLI: synth, prepare, train, eval, export, ...).
 *
 * @param verbose --verbose / -v: every log line
 * @param cluster --cluster FILE, or null
 * @param master --master URL, or null
 * @param command the command and its arguments, unchanged
 */
record Invocation(boolean verbose, Path cluster, String master, List<String> command) {

    /**
     * @param args the command line
     * @return it parsed
     * @throws LaunchException for an option without its value
     */
    static Invocation parse(List<String> args) {
        boolean verbose = false;
        Path cluster = null;
        String master = null;
        int i = 0;
        while (i < args.size()) {
            String a = args.get(i);
            if (a.equals("--verbose") || a.equals("-v")) {
                verbose = true;
                i++;
            } else if (a.equals("--master")) {
                if (i + 1 >= args.size()) {
                    throw new LaunchException("--master needs a URL");
                }
                master = args.get(i + 1);
                i += 2;
            } else if (a.equals("--cluster")) {
                if (i + 1 >= args.size()) {
                    throw new LaunchException("--cluster needs a file of Spark properties (conf/cluster/*.conf)");
                }
                cluster = Path.of(args.get(i + 1));
                i += 2;
            } else {
                break;
            }
        }
        return new Invocation(verbose, cluster, master, List.copyOf(args.subList(i, args.size())));
    }
}
