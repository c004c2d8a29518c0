package org.omnispark.data.hdfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS for tests: Hadoop's MiniDFSCluster (one NameNode, one DataNode, real RPC and data transfer) on
 * 127.0.0.1 with its storage in a temporary folder. Paths are {@code hdfs://127.0.0.1:<port>/...}.
 */
public final class MiniHdfs implements AutoCloseable {

    private final MiniDFSCluster cluster;
    private final Path storage;

    private MiniHdfs(MiniDFSCluster cluster, Path storage) {
        this.cluster = cluster;
        this.storage = storage;
    }

    /** @return a started, writable HDFS with one DataNode */
    public static MiniHdfs start() throws IOException {
        Path storage = Files.createTempDirectory("omnispark-minidfs");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, storage.toString());
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.setBoolean("dfs.permissions.enabled", false);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1)
                .checkDataNodeHostConfig(true).build();
        cluster.waitActive();
        return new MiniHdfs(cluster, storage);
    }

    /** @return {@code hdfs://127.0.0.1:<port>} */
    public String uri() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    /** @param path an absolute path inside HDFS, e.g. "/exp/ckpt" @return its full URI */
    public org.apache.hadoop.fs.Path path(String path) {
        return new org.apache.hadoop.fs.Path(uri() + path);
    }

    /**
     * @return a client configuration (its default file system is this HDFS; one replica per block, as there is one
     *     DataNode, so that appends need no second DataNode)
     */
    public Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set("fs.defaultFS", uri());
        conf.setInt("dfs.replication", 1);
        return conf;
    }

    /** @return a client of this HDFS */
    public FileSystem fileSystem() throws IOException {
        return FileSystem.get(java.net.URI.create(uri()), configuration());
    }

    @Override
    public void close() throws IOException {
        cluster.shutdown(true); // deletes the storage too
        if (!Files.exists(storage)) {
            return;
        }
        try (var walk = Files.walk(storage)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
