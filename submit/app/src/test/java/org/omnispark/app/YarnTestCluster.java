package org.omnispark.app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMApp;
import org.omnispark.data.hdfs.MiniHdfs;

/**
 * A real YARN cluster with a real HDFS, started inside the test JVM from hadoop-client-minicluster, every daemon on
 * loopback: a MiniDFSCluster (NameNode + DataNode on 127.0.0.1) and a MiniYARNCluster (one ResourceManager, one
 * NodeManager, both on {@code localhost}). The NodeManager launches containers as processes of their own (bash +
 * java), as on a real node. Its site files are written to {@link #hadoopConfDir()}, for spark-submit's
 * {@code HADOOP_CONF_DIR}.
 *
 * <p>Sized for a 2-core machine: the NodeManager offers {@link #NODE_MEMORY_MB} MiB and 4 vcores (YARN's default
 * resource calculator counts memory only), enough for an ApplicationMaster (or a cluster-mode driver) and two
 * executors of about 1 GiB each; containers may be as small as 128 MiB; the virtual and physical memory checks are off
 * (a JVM's virtual size is far above its heap, and libtorch allocates outside it).
 *
 * <p>The NodeManager keeps a finished application's container folders for an hour
 * ({@code yarn.nodemanager.delete.debug-delay-sec}), so a test can look into them: {@link #containerLogs} and
 * {@link #workDir()} (local dirs with each container's working directory, and log dirs).
 */
final class YarnTestCluster implements AutoCloseable {
    /** The NodeManager's memory. */
    static final int NODE_MEMORY_MB = 6144;

    private final MiniHdfs hdfs;
    private final MiniYARNCluster yarn;
    private final Path hadoopConfDir;

    private YarnTestCluster(MiniHdfs hdfs, MiniYARNCluster yarn, Path hadoopConfDir) {
        this.hdfs = hdfs;
        this.yarn = yarn;
        this.hadoopConfDir = hadoopConfDir;
    }

    /**
     * Starts HDFS, then YARN (its default file system is that HDFS), and writes core-site.xml, hdfs-site.xml and
     * yarn-site.xml into {@code confDir}.
     *
     * @param name the cluster's name; MiniYARNCluster keeps its folders in {@code target/NAME} under the working
     *        directory (deleted when a cluster of that name starts)
     */
    static YarnTestCluster start(String name, Path confDir) throws Exception {
        MiniHdfs hdfs = MiniHdfs.start();
        MiniYARNCluster yarn = null;
        try {
            YarnConfiguration conf = new YarnConfiguration();
            conf.set("fs.defaultFS", hdfs.uri());
            conf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", NODE_MEMORY_MB);
            conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
            conf.setInt("yarn.scheduler.minimum-allocation-mb", 128);
            conf.setInt("yarn.scheduler.maximum-allocation-mb", NODE_MEMORY_MB);
            conf.setInt("yarn.scheduler.maximum-allocation-vcores", 4);
            conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
            conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
            // A nearly full disk must not mark the only node unhealthy (the test would wait forever).
            conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
            conf.setInt("yarn.nodemanager.delete.debug-delay-sec", 3600);
            // hadoop-client-minicluster has no capacity-scheduler.xml: one queue, all of the cluster, and room for
            // an ApplicationMaster beside the executors.
            conf.set("yarn.scheduler.capacity.root.queues", "default");
            conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
            conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
            conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
            conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
            conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
            conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
            conf.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 0.5f);
            conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
            yarn = new MiniYARNCluster(name, 1, 1, 1);
            yarn.init(conf);
            yarn.start();
            // The ResourceManager publishes its port in the configuration a moment after start() returns.
            Configuration live = yarn.getConfig();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (live.get(YarnConfiguration.RM_ADDRESS, "").endsWith(":0")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the ResourceManager did not publish its address in 30 s");
                }
                Thread.sleep(100);
            }
            if (!yarn.waitForNodeManagersToConnect(30_000)) {
                throw new IllegalStateException("the NodeManager did not register with the ResourceManager in 30 s");
            }
            writeSiteFiles(confDir, hdfs, live);
            return new YarnTestCluster(hdfs, yarn, confDir);
        } catch (Exception | Error e) {
            if (yarn != null) {
                yarn.stop();
            }
            hdfs.close();
            throw e;
        }
    }

    private static void writeSiteFiles(Path dir, MiniHdfs hdfs, Configuration live) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> core = new TreeMap<>(Map.of("fs.defaultFS", hdfs.uri(),
                "hadoop.security.authentication", "simple"));
        Map<String, String> hdfsSite = new TreeMap<>(Map.of("dfs.replication", "1",
                "dfs.client.use.datanode.hostname", "false"));
        Map<String, String> yarnSite = new TreeMap<>();
        for (Map.Entry<String, String> e : live) {
            if (e.getKey().startsWith("yarn.")) {
                yarnSite.put(e.getKey(), live.get(e.getKey()));
            }
        }
        write(dir.resolve("core-site.xml"), core);
        write(dir.resolve("hdfs-site.xml"), hdfsSite);
        write(dir.resolve("yarn-site.xml"), yarnSite);
    }

    private static void write(Path file, Map<String, String> entries) throws IOException {
        Configuration c = new Configuration(false);
        entries.forEach(c::set);
        try (OutputStream out = Files.newOutputStream(file)) {
            c.writeXml(out);
        }
    }

    /** The folder with core-site.xml, hdfs-site.xml and yarn-site.xml. */
    Path hadoopConfDir() {
        return hadoopConfDir;
    }

    /** {@code hdfs://127.0.0.1:PORT}. */
    String hdfsUri() {
        return hdfs.uri();
    }

    /** A client of the HDFS. */
    FileSystem fileSystem() throws IOException {
        return hdfs.fileSystem();
    }

    /** A client configuration of the HDFS. */
    Configuration hdfsConfiguration() {
        return hdfs.configuration();
    }

    /** The ResourceManager's address, {@code localhost:PORT}. */
    String resourceManagerAddress() {
        return yarn.getConfig().get(YarnConfiguration.RM_ADDRESS);
    }

    /** MiniYARNCluster's folder: the NodeManager's local dirs (container working dirs) and log dirs. */
    Path workDir() {
        return yarn.getTestWorkDir().toPath().toAbsolutePath();
    }

    /** The ResourceManager's record of an application, e.g. "application_1765000000000_0001". */
    RMApp application(String applicationId) {
        RMApp app = yarn.getResourceManager().getRMContext().getRMApps().get(ApplicationId.fromString(applicationId));
        if (app == null) {
            throw new IllegalArgumentException("the ResourceManager knows no " + applicationId);
        }
        return app;
    }

    /**
     * The log folders of an application's containers (container_..._000001 is the ApplicationMaster's), each with
     * the container's stdout and stderr, sorted by container id.
     */
    List<Path> containerLogs(String applicationId) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(workDir())) {
            for (Path logDir : dirs.filter(d -> d.getFileName().toString().contains("-logDir-nm-")).toList()) {
                Path app = logDir.resolve(applicationId);
                if (Files.isDirectory(app)) {
                    try (Stream<Path> containers = Files.list(app)) {
                        containers.filter(Files::isDirectory).forEach(out::add);
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            yarn.stop();
        } finally {
            hdfs.close();
        }
    }
}
