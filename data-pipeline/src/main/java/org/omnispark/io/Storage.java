package org.omnispark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads, writes and lists {@link Location}s through the Hadoop FileSystem of one Hadoop configuration. One instance
 * per configuration: in a Spark job, {@code Storage.of(spark.sparkContext().hadoopConfiguration())}; in a plain JVM,
 * {@link #fromEnvironment()}.
 *
 * <p>Two ways to read what a user typed:
 * <ul>
 *   <li>{@link #data(String)} for data and output folders (datasets, models, checkpoints): a path without a scheme is
 *       on the default file system ({@code fs.defaultFS}: HDFS on a Hadoop cluster, the local disk otherwise), as in
 *       Spark;</li>
 *   <li>{@link #file(String)} for config files the user has beside them (YAML configs): a path without a scheme is a
 *       local file, as spark-submit's {@code --files}; a URI reads from anywhere.</li>
 * </ul>
 */
public final class Storage {
    /** The prefix of Spark settings that are Hadoop settings ({@code spark.hadoop.fs.s3a.endpoint}). */
    public static final String SPARK_HADOOP_PREFIX = "spark.hadoop.";
    private final Configuration conf;

    private Storage(Configuration conf) {
        this.conf = conf;
    }

    /**
     * @param conf the Hadoop configuration to use (not copied: later changes to it apply)
     * @return storage on it
     */
    public static Storage of(Configuration conf) {
        if (conf == null) {
            throw new IllegalArgumentException("a Hadoop configuration is required");
        }
        return new Storage(conf);
    }

    /**
     * The Hadoop configuration a JVM outside a Spark session would get from Spark: the {@code *-site.xml} files on
     * the classpath ({@code HADOOP_CONF_DIR} under spark-submit) plus every {@code spark.hadoop.*} system property
     * (spark-submit turns {@code --conf} settings into system properties in client mode).
     *
     * @return storage on that configuration
     */
    public static Storage fromEnvironment() {
        return of(withSparkHadoopSettings(new Configuration(), propertiesAsMap()));
    }

    /**
     * @param conf a configuration to add to
     * @param sparkSettings Spark settings; those starting with {@code spark.hadoop.} are copied without the prefix
     * @return {@code conf}
     */
    public static Configuration withSparkHadoopSettings(Configuration conf, Map<String, String> sparkSettings) {
        sparkSettings.forEach((k, v) -> {
            if (k.startsWith(SPARK_HADOOP_PREFIX) && v != null) {
                conf.set(k.substring(SPARK_HADOOP_PREFIX.length()), v);
            }
        });
        return conf;
    }

    private static Map<String, String> propertiesAsMap() {
        Map<String, String> map = new java.util.HashMap<>();
        System.getProperties().stringPropertyNames().forEach(k -> map.put(k, System.getProperty(k)));
        return map;
    }

    /** @return the Hadoop configuration */
    public Configuration conf() {
        return conf;
    }

    /**
     * A data or output folder as a user typed it: a URI as it is; a path without a scheme on the default file system,
     * relative to its working directory (the local working directory when that is the local disk).
     *
     * @param typed {@code hdfs://nn/data}, {@code s3a://b/x}, {@code file:///tmp/x}, {@code /data/x} or {@code data/x}
     * @return the qualified location
     */
    public Location data(String typed) {
        requireText(typed);
        Path path = new Path(typed);
        try {
            return Location.of(path.getFileSystem(conf).makeQualified(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of '" + typed + "': " + e.getMessage()
                    + "; check the scheme and the Hadoop settings (HADOOP_CONF_DIR, spark.hadoop.*)", e);
        }
    }

    /**
     * A file the user has beside them (a YAML config): a path without a scheme is local; a URI is read from its own
     * file system.
     *
     * @param typed {@code conf/train/tiny.yaml}, {@code /abs/x.yaml} or {@code hdfs://nn/conf/x.yaml}
     * @return the location
     */
    public static Location file(String typed) {
        requireText(typed);
        if (hasScheme(typed)) {
            return Location.of(typed);
        }
        return Location.of(java.nio.file.Path.of(typed));
    }

    private static boolean hasScheme(String typed) {
        try {
            URI uri = new URI(typed);
            return uri.getScheme() != null && uri.getScheme().length() > 1;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void requireText(String typed) {
        if (typed == null || typed.isBlank()) {
            throw new IllegalArgumentException("an empty path was given where a file or folder is expected");
        }
    }

    /**
     * @param location a location
     * @return the file system that holds it (for the local disk, the raw one: no {@code .crc} files beside outputs)
     */
    public FileSystem fs(Location location) {
        try {
            FileSystem fs = location.toHadoop().getFileSystem(conf);
            return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of " + location + ": " + e.getMessage(), e);
        }
    }

    /** @param location a file or folder @return whether it exists */
    public boolean exists(Location location) throws IOException {
        return fs(location).exists(location.toHadoop());
    }

    /** @param location a file or folder @return whether it exists and is a folder */
    public boolean isDirectory(Location location) throws IOException {
        try {
            return fs(location).getFileStatus(location.toHadoop()).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** @param file a file @return a stream of its bytes (the caller closes it) */
    public InputStream open(Location file) throws IOException {
        return fs(file).open(file.toHadoop());
    }

    /** @param file a file @return its bytes */
    public byte[] readBytes(Location file) throws IOException {
        try (InputStream in = open(file)) {
            return in.readAllBytes();
        }
    }

    /** @param file a UTF-8 text file @return its text */
    public String readString(Location file) throws IOException {
        return new String(readBytes(file), StandardCharsets.UTF_8);
    }

    /**
     * @param file a file to create or replace (its folders are created)
     * @return a stream to write it (the caller closes it; on an object store the file appears on close)
     */
    public OutputStream create(Location file) throws IOException {
        return fs(file).create(file.toHadoop(), true);
    }

    /**
     * Opens a file to add to its end, creating it (and its folders) when absent. Where the file system cannot append
     * (object stores), the file is rewritten: its old content first, then what the caller writes (it appears whole
     * when the stream closes).
     *
     * @param file the file
     * @return a stream positioned at the file's end (the caller closes it)
     */
    public FSDataOutputStream append(Location file) throws IOException {
        FileSystem fs = fs(file);
        Path path = file.toHadoop();
        if (!fs.exists(path)) {
            fs.mkdirs(path.getParent());
            return fs.create(path, false);
        }
        try {
            return fs.append(path);
        } catch (UnsupportedOperationException | IOException e) {
            byte[] old = readBytes(file);
            FSDataOutputStream out = fs.create(path, true);
            out.write(old);
            return out;
        }
    }

    /**
     * Writes a whole file so that readers see the old content or the new, never a part ({@link CommitFile}).
     *
     * @param file the file
     * @param bytes its new content
     */
    public void write(Location file, byte[] bytes) throws IOException {
        FileSystem fs = fs(file);
        fs.mkdirs(file.parent().toHadoop());
        CommitFile.write(fs, file.toHadoop(), bytes);
    }

    /** What writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        /** @param out the stream to write to (not closed by the caller of this method) */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes a large file so that readers never see a part of it: into a hidden temporary file beside it, renamed
     * onto it at the end, where rename is atomic; in place on object stores (which publish the file whole on close).
     *
     * @param file the file (replaced when present)
     * @param content what writes its bytes
     */
    public void write(Location file, Content content) throws IOException {
        FileSystem fs = fs(file);
        fs.mkdirs(file.parent().toHadoop());
        if (!CommitFile.renameIsAtomic(fs)) {
            try (OutputStream out = fs.create(file.toHadoop(), true)) {
                content.writeTo(out);
            }
            return;
        }
        Path temp = new Path(file.parent().toHadoop(), CommitFile.TEMP_PREFIX + file.name() + "-"
                + java.util.UUID.randomUUID());
        try {
            try (OutputStream out = fs.create(temp, false)) {
                content.writeTo(out);
            }
            if (!fs.rename(temp, file.toHadoop())) {
                fs.delete(file.toHadoop(), false);
                if (!fs.rename(temp, file.toHadoop())) {
                    throw new IOException("cannot rename " + temp + " to " + file);
                }
            }
        } finally {
            if (fs.exists(temp)) {
                fs.delete(temp, false);
            }
        }
    }

    /** @param file a UTF-8 text file to write whole ({@link #write(Location, byte[])}) @param text its content */
    public void writeString(Location file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** @param folder a folder to create with its parents (nothing happens when it exists) */
    public void mkdirs(Location folder) throws IOException {
        if (!fs(folder).mkdirs(folder.toHadoop())) {
            throw new IOException("cannot create the folder " + folder);
        }
    }

    /** @param folder a folder @return its entries, sorted by name (empty when it does not exist) */
    public List<Location> list(Location folder) throws IOException {
        FileStatus[] statuses;
        try {
            statuses = fs(folder).listStatus(folder.toHadoop());
        } catch (FileNotFoundException e) {
            return List.of();
        }
        List<Location> out = new ArrayList<>();
        Arrays.stream(statuses).map(s -> Location.of(s.getPath())).sorted(
                java.util.Comparator.comparing(Location::name)).forEach(out::add);
        return out;
    }

    /** @param location a file or folder to delete, with everything inside @return whether anything was deleted */
    public boolean delete(Location location) throws IOException {
        return fs(location).delete(location.toHadoop(), true);
    }

    /**
     * Copies a file (or a folder with its content), possibly between file systems; the target is replaced. Nothing
     * happens when both name the same location.
     *
     * @param from the source
     * @param to the target
     */
    public void copy(Location from, Location to) throws IOException {
        if (from.equals(to)) {
            return;
        }
        if (!FileUtil.copy(fs(from), from.toHadoop(), fs(to), to.toHadoop(), false, true, conf)) {
            throw new IOException("cannot copy " + from + " to " + to);
        }
    }

    /**
     * The named files of a folder on the local disk, for libraries that read only local files: the folder itself
     * when it is local, else a new temporary folder (deleted when the JVM exits) holding copies of those of
     * {@code names} that exist.
     *
     * @param folder a folder on any file system
     * @param names the files wanted
     * @return a local folder
     */
    public java.nio.file.Path localFolder(Location folder, List<String> names) throws IOException {
        if (folder.isLocal()) {
            return folder.toLocalPath();
        }
        java.nio.file.Path local = Files.createTempDirectory("omnispark-" + folder.name() + "-");
        local.toFile().deleteOnExit();
        for (String name : names) {
            Location remote = folder.resolve(name);
            if (exists(remote)) {
                java.nio.file.Path copy = local.resolve(name);
                try (InputStream in = open(remote)) {
                    Files.copy(in, copy);
                }
                copy.toFile().deleteOnExit();
            }
        }
        return local;
    }

    /**
     * Copies every file under a local folder to the same relative names under a location (for outputs a library
     * can only write locally).
     *
     * @param local the local folder
     * @param to the target folder (created; files of the same names are replaced)
     */
    public void uploadFolder(java.nio.file.Path local, Location to) throws IOException {
        List<java.nio.file.Path> files;
        try (java.util.stream.Stream<java.nio.file.Path> walk = Files.walk(local)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (java.nio.file.Path f : files) {
            upload(f, to.resolve(local.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
        }
    }

    /**
     * Copies a local file to a location (for files a library can only write locally).
     *
     * @param local the local file
     * @param to where it goes (replaced)
     */
    public void upload(java.nio.file.Path local, Location to) throws IOException {
        try (OutputStream out = create(to)) {
            Files.copy(local, out);
        }
    }
}
