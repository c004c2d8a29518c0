package org.omnispark.expertparallel.spark;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.omnispark.io.Location;
import org.omnispark.trainer.infra.JsonLinesMetricsWriter;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.SparkEnv;
import org.apache.spark.resource.ResourceInformation;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.expertparallel.HostStaging;
import org.omnispark.expertparallel.MeshParallelism;
import org.omnispark.expertparallel.transport.MeshOptions;
import org.omnispark.expertparallel.transport.MeshTls;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.PortRange;
import org.omnispark.expertparallel.transport.WireDtype;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.BatchSource;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.loop.Trainer;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * What each task of the barrier stage runs: one rank. It sets up libtorch for this thread (engine, grad mode, intra-op
 * threads), takes its GPU from the task's resources when training on GPUs, opens the mesh to the other ranks (the
 * endpoints travel through {@code BarrierTaskContext.allGather}) and runs the ordinary {@link Trainer} with a {@link
 * MeshParallelism} whose tensors enter the mesh through a {@link HostStaging} for that device (a GPU rank's are copied
 * through host buffers). It returns its {@link RankResult}.
 */
final class RankTask extends AbstractFunction1<Iterator<Integer>, Iterator<RankResult>> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String modelConfigJson;
    private final String trainConfigJson;
    private final String trainData;
    private final String validData;
    private final String output;
    private final byte[] jobSecret; // travels in the task closure (Spark RPC: encrypted with spark.network.crypto)
    private final BatchSource batchSource; // Serializable, or null for the default
    private final String runId;
    private final int runAttempt;
    private final RankProgress.Records progress; // rank 0's metrics records, read by the driver; or null

    RankTask(ModelConfig modelConfig, TrainConfig trainConfig, Location trainData, Location validData, Location output,
            byte[] jobSecret, BatchSource batchSource, String runId, int runAttempt,
            RankProgress.Records progress) {
        this.modelConfigJson = ExpertParallelTrainer.json(modelConfig);
        this.trainConfigJson = ExpertParallelTrainer.json(trainConfig);
        this.trainData = trainData.toString();
        this.validData = validData == null ? null : validData.toString();
        this.output = output.toString();
        this.jobSecret = jobSecret.clone();
        this.batchSource = batchSource;
        this.runId = runId;
        this.runAttempt = runAttempt;
        this.progress = progress;
    }

    @Override
    public Iterator<RankResult> apply(Iterator<Integer> ignored) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int rank = context.partitionId();
        BarrierTaskInfo[] tasks = context.getTaskInfos();
        int size = tasks.length;
        ModelConfig modelConfig = bind(modelConfigJson, ModelConfig.class);
        TrainConfig trainConfig = bind(trainConfigJson, TrainConfig.class);
        Engine.getEngine("PyTorch"); // before any JniUtils call on this thread
        boolean gradMode = JniUtils.isGradMode();
        int threads = JniUtils.getNumThreads();
        JniUtils.setGradMode(false); // new threads start with grad mode on
        JniUtils.setNumThreads(threadsPerRank(trainConfig, tasks, rank, context));
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        byte[] key = PeerMesh.attemptKey(jobSecret, context.stageAttemptNumber());
        MeshOptions options = meshOptions(trainConfig, SparkEnv.get().conf().get(PortRange.PROPERTY, null));
        int experts = ExpertParallelTrainer.numExperts(modelConfig, trainConfig, size);
        int expertParallelSize = trainConfig.expertParallel().expertParallelSize();
        Device device = device(trainConfig, context);
        // connections only to the ranks this one shares a group with: O(expert-parallel size + replica group size);
        // a GPU rank's tensors enter the mesh through host buffers (HostStaging), a CPU rank's as they are
        try (HostStaging staging = HostStaging.forDevice(device);
                PeerMesh mesh = PeerMesh.open(rank, size, host, key,
                        mine -> Arrays.asList(context.allGather(mine.get(0))), options,
                        MeshParallelism.peers(experts, size, rank, expertParallelSize))) {
            Trainer.Builder trainer = Trainer.builder().setModelConfig(modelConfig).setTrainConfig(trainConfig)
                    .setTrainData(Location.of(trainData)).setOutput(Location.of(output))
                    .optParallelism(new MeshParallelism(mesh, experts, expertParallelSize, staging))
                    .optDevice(device)
                    // the driver's retries and Spark's stage attempts: a later one supersedes an earlier one's rank 0
                    .optRun(runId, runAttempt * 1000 + context.stageAttemptNumber())
                    .optHadoopConfiguration(hadoopConfiguration(SparkEnv.get().conf()))
                    .optCancellation(() -> context.isInterrupted() || Thread.currentThread().isInterrupted());
            if (validData != null) {
                trainer.optValidData(Location.of(validData));
            }
            if (batchSource != null) {
                trainer.optBatchSource(batchSource);
            }
            if (progress != null && rank == 0) {
                trainer.optLogListener(m -> progress.add(JsonLinesMetricsWriter.record(m)));
            }
            TrainSummary summary = trainer.build().run();
            RankResult result = new RankResult(rank, summary.finalStep(), summary.epoch(), summary.seconds(),
                    summary.losses(), Arrays.stream(mesh.peers()).boxed().toList(), linkThreads(rank));
            return CollectionConverters.asScala(List.of(result).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + rank + " of " + size + " could not open its connections: "
                    + e.getMessage(), e);
        } finally {
            JniUtils.setNumThreads(threads);
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * The mesh's options from the job's configuration: the one route by which {@code expert_parallel} settings
     * (timeout, TLS, largest frame, wire dtype, ring pieces) reach the exchange.
     *
     * @param trainConfig the training config
     * @param ports the value of {@link PortRange#PROPERTY}, or null
     * @return the options
     */
    static MeshOptions meshOptions(TrainConfig trainConfig, String ports) {
        TrainConfig.ExpertParallel settings = trainConfig.expertParallel();
        TrainConfig.Tls tls = settings.tls();
        SSLContext tlsContext = tls.enabled() ? MeshTls.fromFiles(tls.keystore(), tls.keystorePasswordFile(),
                tls.truststore(), tls.truststorePasswordFile()) : null;
        return MeshOptions.of(settings.timeoutSeconds() * 1000L).withTls(tlsContext)
                .withMaxFrameBytes(settings.maxFrameMb() * (1L << 20))
                .withWireDtype(WireDtype.forFloats(settings.wireDtype()))
                .withRingPieceBytes(settings.ringPieceKb() * 1024L)
                .withPorts(PortRange.parse(ports));
    }

    /** @return the live sender and receiver threads of this rank's connections (in this executor's JVM) */
    static int linkThreads(int rank) {
        String send = "omnispark-rank" + rank + "-send-";
        String receive = "omnispark-rank" + rank + "-recv-";
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(send) || n.startsWith(receive)).count();
    }

    /** The job's Hadoop configuration on an executor: core-site.xml plus the session's {@code spark.hadoop.*}. */
    static org.apache.hadoop.conf.Configuration hadoopConfiguration(org.apache.spark.SparkConf spark) {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        for (scala.Tuple2<String, String> kv : spark.getAll()) {
            if (kv._1().startsWith("spark.hadoop.")) {
                conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return conf;
    }

    /**
     * Intra-op threads: the setting; else on a cluster the cores Spark gave this task (the training stage's resource
     * profile: {@link TrainingResources}); else (local, local-cluster) the executor's cores shared by its ranks.
     */
    private static int threadsPerRank(TrainConfig config, BarrierTaskInfo[] tasks, int rank,
            BarrierTaskContext context) {
        int configured = config.expertParallel().threadsPerRank();
        if (configured > 0) {
            return configured;
        }
        if (!SparkEnv.get().conf().get("spark.master", "local").startsWith("local")) {
            return Math.max(1, context.cpus());
        }
        String me = tasks[rank].address();
        long here = Arrays.stream(tasks).filter(t -> t.address().equals(me)).count();
        int cores = SparkEnv.get().conf().getInt("spark.executor.cores", Runtime.getRuntime().availableProcessors());
        return Math.max(1, (int) (cores / Math.max(1, here)));
    }

    /**
     * CPU, or the GPU Spark assigned to this task (the training stage's resource profile asks for one per rank), as
     * the CUDA ordinal this process knows it by ({@link GpuDevices}: addresses are CUDA_VISIBLE_DEVICES entries or
     * nvidia-smi indexes, ordinals count the visible devices).
     */
    private static Device device(TrainConfig config, BarrierTaskContext context) {
        if (!config.device().equals("gpu")) {
            return Device.cpu();
        }
        return Device.gpu(GpuDevices.cudaOrdinal(gpuAddress(context), System.getenv("CUDA_VISIBLE_DEVICES"),
                GpuDevices::nvidiaSmiUuids));
    }

    /** @return the GPU address Spark assigned to this task */
    static String gpuAddress(org.apache.spark.TaskContext context) {
        ResourceInformation gpus = context.resources().get("gpu").getOrElse(() -> null);
        if (gpus == null || gpus.addresses().length == 0) {
            throw new IllegalStateException("train.device is gpu but Spark gave this task no GPU: set "
                    + "OMNISPARK_GPUS_PER_EXECUTOR (submit/omnispark), or spark.executor.resource.gpu.amount and a "
                    + "discovery script (spark.executor.resource.gpu.discoveryScript; docs/operations.md, 'GPUs')");
        }
        return gpus.addresses()[0];
    }

    private static <T> T bind(String json, Class<T> type) {
        try {
            ObjectMapper mapper = ConfigLoader.json();
            return ConfigLoader.bind(mapper.readTree(json), type, type.getSimpleName());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
