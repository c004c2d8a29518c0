package org.omnispark.io;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.apache.hadoop.fs.Path;

/**
 * A file or folder named by a Hadoop URI: {@code hdfs://nn:8020/data/train}, {@code s3a://bucket/out},
 * {@code file:/tmp/x}. Immutable and serializable, so it travels to Spark executors as it is.
 *
 * <p>A location is always absolute: {@link Storage#data(String)} and {@link Storage#file(String)} qualify what a user
 * typed (a relative path, a path without a scheme) on the machine where it was typed, before it travels.
 *
 * @param uri the absolute URI, with a scheme
 */
public record Location(URI uri) implements Serializable {

    /** Validates. */
    public Location {
        if (uri == null || uri.getScheme() == null || !uri.isAbsolute()) {
            throw new IllegalArgumentException("a Location needs an absolute URI with a scheme (hdfs://, s3a://, "
                    + "file:/...), got " + uri + "; build it with Storage.data(...) or Location.of(java.nio.Path)");
        }
        uri = uri.normalize();
    }

    /**
     * @param uri an absolute URI with a scheme, e.g. {@code hdfs://nn/data} or {@code file:/tmp/x}
     * @return its location
     */
    public static Location of(String uri) {
        try {
            return new Location(new URI(uri));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI: " + e.getMessage(), e);
        }
    }

    /**
     * @param local a local path (made absolute against the working directory)
     * @return its {@code file:} location
     */
    public static Location of(java.nio.file.Path local) {
        return new Location(local.toAbsolutePath().normalize().toUri());
    }

    /**
     * @param path a qualified Hadoop path (with a scheme)
     * @return its location
     */
    public static Location of(Path path) {
        return new Location(path.toUri());
    }

    /**
     * @param child a relative name, e.g. {@code "model.json"} or {@code "checkpoints/ckpt-100"}
     * @return the location of {@code child} inside this folder
     */
    public Location resolve(String child) {
        if (child.isEmpty() || child.startsWith("/")) {
            throw new IllegalArgumentException("resolve needs a relative name, got '" + child + "'");
        }
        return of(new Path(toHadoop(), child));
    }

    /** @return the folder that holds this one, or this location when it is a root */
    public Location parent() {
        Path parent = toHadoop().getParent();
        return parent == null ? this : of(parent);
    }

    /** @return the last name of the path, e.g. {@code model.json} */
    public String name() {
        return toHadoop().getName();
    }

    /** @return the Hadoop path */
    public Path toHadoop() {
        return new Path(uri);
    }

    /** @return whether this is a {@code file:} location on the local disk */
    public boolean isLocal() {
        return "file".equals(uri.getScheme().toLowerCase(Locale.ROOT));
    }

    /**
     * @return the local path of a {@code file:} location
     * @throws IllegalStateException for any other scheme
     */
    public java.nio.file.Path toLocalPath() {
        if (!isLocal()) {
            throw new IllegalStateException(this + " is not on the local disk; read it through Storage");
        }
        return java.nio.file.Path.of(uri);
    }

    @Override
    public String toString() {
        return toHadoop().toString();
    }
}
