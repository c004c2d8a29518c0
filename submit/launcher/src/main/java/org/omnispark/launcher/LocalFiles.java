package org.omnispark.launcher;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files of this machine that a job names and a cluster must be given: which locations spark-submit uploads, and
 * in cluster mode the config files named on the command line, shipped in --files and renamed to their names there.
 */
final class LocalFiles {

    /** The options of OmniSpark's commands that name a config file (prepare --conf, train --conf and --model). */
    static final Set<String> CONFIG_OPTIONS = Set.of("--conf", "--model");

    private LocalFiles() {}

    /** @return whether spark-submit must upload this location: a path or file: URI (local: is on every node) */
    static boolean onThisMachine(String location) {
        int colon = location.indexOf(':');
        String scheme = colon > 1 && location.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")
                ? location.substring(0, colon) : null;
        return scheme == null || scheme.equals("file");
    }

    /**
     * Cluster deploy mode on YARN and Kubernetes: the driver runs in a container whose working folder holds every
     * {@code --files} entry, so each local config file named on the command line ({@code --conf FILE}, {@code
     * --model FILE}) travels in --files and the argument becomes its name there.
     */
    static List<String> shipConfigFiles(List<String> args, ShipList files) {
        List<String> out = new ArrayList<>(args);
        for (int i = 1; i < out.size(); i++) {
            String a = out.get(i);
            int eq = a.indexOf('=');
            String option = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            if (!CONFIG_OPTIONS.contains(option)) {
                continue;
            }
            boolean joined = eq > 0 && a.startsWith("--");
            if (!joined && i + 1 >= out.size()) {
                continue;
            }
            String value = joined ? a.substring(eq + 1) : out.get(i + 1);
            Path local = localFile(value);
            if (local == null) {
                continue;
            }
            String where = local.toAbsolutePath().normalize().toString();
            files.add(where, "the command's " + option + " " + value);
            String shipped = ShipList.name(where);
            if (joined) {
                out.set(i, option + "=" + shipped);
            } else {
                out.set(++i, shipped);
            }
        }
        return out;
    }

    static boolean hasLocalConfig(List<String> args) {
        for (int i = 1; i < args.size(); i++) {
            if (CONFIG_OPTIONS.contains(args.get(i)) && i + 1 < args.size() && localFile(args.get(i + 1)) != null) {
                return true;
            }
        }
        return false;
    }

    /** @return the local regular file a value names (a path or a file: URI), or null */
    static Path localFile(String value) {
        Path p;
        if (value.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            if (!value.startsWith("file:")) {
                return null; // hdfs://, s3a://, ...: the cluster reads it itself
            }
            try {
                p = Path.of(URI.create(value));
            } catch (IllegalArgumentException e) {
                return null;
            }
        } else {
            p = Path.of(value);
        }
        return Files.isRegularFile(p) ? p : null;
    }
}
