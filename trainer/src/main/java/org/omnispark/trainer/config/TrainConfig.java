package org.omnispark.trainer.config;

import static org.omnispark.trainer.config.ConfigChecks.oneOf;
import static org.omnispark.trainer.config.ConfigChecks.range;
import static org.omnispark.trainer.config.ConfigChecks.require;

import java.nio.file.Path;
import java.util.List;
import org.omnispark.data.config.ConfigLoader;

/**
 * A training config ({@code conf/train/*.yaml}); absent keys take defaults, unknown keys are errors.
 *
 * @param optim adam or adamw (default adamw)
 * @param lr peak learning rate (0.001)
 * @param scheduler warmuplr (WeNet, default), cosine or linear (warmup then decay to min_lr at max_steps)
 * @param warmupSteps (25000)
 * @param minLr final rate of cosine/linear (0.0)
 * @param betas Adam betas (default [0.9, 0.98])
 * @param eps Adam epsilon (1e-9)
 * @param weightDecay (0.01 for adamw, 0.0 for adam)
 * @param gradClip global-norm clipping threshold, 0 = off (5.0)
 * @param accumGrad micro-batches per update (1)
 * @param maxEpochs (100)
 * @param maxSteps stop after this many updates, 0 = no limit (0); required by cosine/linear
 * @param batch dynamic batching limits
 * @param seed run seed (777)
 * @param logInterval log every N updates (100)
 * @param validInterval validate every N updates, 0 = once per epoch (0)
 * @param checkpoint checkpoint cadence and retention
 * @param device cpu or gpu (cpu)
 * @param dtype float32, or bf16: mixed precision, GEMMs in bf16 with float32 master weights, gradients and optimizer
 *     state ({@code org.omnispark.trainer.nn.Autocast}); meant for GPUs (on a CPU without bf16 units it is slower)
 * @param expertParallel settings of expert-parallel runs ({@code train --ranks N})
 */
public record TrainConfig(String optim, Double lr, String scheduler, Long warmupSteps, Double minLr,
        List<Double> betas, Double eps, Double weightDecay, Double gradClip, Integer accumGrad, Integer maxEpochs,
        Long maxSteps, Batch batch, Long seed, Integer logInterval, Integer validInterval, Checkpoint checkpoint,
        String device, String dtype, ExpertParallel expertParallel) {

    /** Fills defaults and validates. */
    public TrainConfig {
        optim = oneOf("optim", optim == null ? "adamw" : optim, List.of("adam", "adamw"));
        lr = lr == null ? 0.001 : lr;
        scheduler = oneOf("scheduler", scheduler == null ? "warmuplr" : scheduler,
                List.of("warmuplr", "cosine", "linear"));
        warmupSteps = warmupSteps == null ? 25000L : warmupSteps;
        minLr = minLr == null ? 0.0 : minLr;
        betas = betas == null ? List.of(0.9, 0.98) : List.copyOf(betas);
        eps = eps == null ? 1e-9 : eps;
        weightDecay = weightDecay == null ? (optim.equals("adamw") ? 0.01 : 0.0) : weightDecay;
        gradClip = gradClip == null ? 5.0 : gradClip;
        accumGrad = accumGrad == null ? 1 : accumGrad;
        maxEpochs = maxEpochs == null ? 100 : maxEpochs;
        maxSteps = maxSteps == null ? 0L : maxSteps;
        batch = batch == null ? new Batch(null, null) : batch;
        seed = seed == null ? 777L : seed;
        logInterval = logInterval == null ? 100 : logInterval;
        validInterval = validInterval == null ? 0 : validInterval;
        checkpoint = checkpoint == null ? new Checkpoint(null, null, null) : checkpoint;
        device = oneOf("device", device == null ? "cpu" : device, List.of("cpu", "gpu"));
        dtype = oneOf("dtype", dtype == null ? "float32" : dtype, List.of("float32", "bf16"));
        expertParallel = expertParallel == null
                ? new ExpertParallel(null, null, null, null, null, null, null, null, null, null, null) : expertParallel;
        require(lr > 0 && lr < 10, "lr must be in (0, 10), got " + lr);
        require(warmupSteps >= 0, "warmup_steps must be >= 0, got " + warmupSteps);
        require(minLr >= 0 && minLr <= lr, "min_lr must be in [0, lr=" + lr + "], got " + minLr);
        require(betas.size() == 2 && betas.get(0) >= 0 && betas.get(0) < 1 && betas.get(1) >= 0 && betas.get(1) < 1,
                "betas must be two numbers in [0, 1), e.g. [0.9, 0.98], got " + betas);
        require(eps > 0, "eps must be > 0, got " + eps);
        range("weight_decay", weightDecay, 0, 1);
        require(gradClip >= 0, "grad_clip must be >= 0 (0 = off), got " + gradClip);
        require(accumGrad >= 1, "accum_grad must be >= 1, got " + accumGrad);
        require(maxEpochs >= 1, "max_epochs must be >= 1, got " + maxEpochs);
        require(maxSteps >= 0, "max_steps must be >= 0 (0 = no limit), got " + maxSteps);
        require(scheduler.equals("warmuplr") || maxSteps > warmupSteps, "scheduler: " + scheduler
                + " decays to min_lr at max_steps, so max_steps (" + maxSteps + ") must exceed warmup_steps ("
                + warmupSteps + ")");
        require(logInterval >= 1, "log_interval must be >= 1, got " + logInterval);
        require(validInterval >= 0, "valid_interval must be >= 0 (0 = per epoch), got " + validInterval);
    }

    /**
     * Loads a training config.
     *
     * @param yaml the file, or null for the defaults
     * @param overrides {@code key.sub=value} overrides, e.g. {@code lr=0.002}
     * @return the validated config
     */
    public static TrainConfig load(Path yaml, List<String> overrides) {
        return ConfigLoader.load(yaml, overrides, TrainConfig.class);
    }

    /**
     * @param storage the storage that reads the file
     * @param yaml the YAML file on any file system, or null for the defaults
     * @param overrides {@code key.sub=value} overrides
     * @return the validated config
     */
    public static TrainConfig load(org.omnispark.io.Storage storage, org.omnispark.io.Location yaml,
            List<String> overrides) {
        return ConfigLoader.load(storage, yaml, overrides, TrainConfig.class);
    }

    /**
     * {@code batch}: dynamic batching by frames. The limits are GLOBAL, per micro-batch of the whole job: with
     * {@code train --ranks N} each rank's micro-batches keep within {@link #perRank(int) 1/N} of them, so N ranks
     * train on as many samples per step as one process (not the same samples: each rank reads its own shards), and
     * the learning rate needs no rescaling when N changes.
     *
     * @param maxFramesPerBatch padded feature frames per micro-batch (longest utterance x utterances) (12000)
     * @param maxBatchSize utterances per micro-batch (64)
     */
    public record Batch(Integer maxFramesPerBatch, Integer maxBatchSize) {
        /** Fills defaults and validates. */
        public Batch {
            maxFramesPerBatch = maxFramesPerBatch == null ? 12000 : maxFramesPerBatch;
            maxBatchSize = maxBatchSize == null ? 64 : maxBatchSize;
            require(maxFramesPerBatch >= 1, "batch.max_frames_per_batch must be >= 1, got " + maxFramesPerBatch);
            require(maxBatchSize >= 1, "batch.max_batch_size must be >= 1, got " + maxBatchSize);
        }

        /** One rank's share of the global limits among {@code worldSize} ranks: each divided by N, rounded up. */
        public Batch perRank(int worldSize) {
            require(worldSize >= 1, "worldSize must be >= 1, got " + worldSize);
            return new Batch(ceilDiv(maxFramesPerBatch, worldSize), ceilDiv(maxBatchSize, worldSize));
        }

        private static int ceilDiv(int a, int b) {
            return (a + b - 1) / b;
        }
    }

    /**
     * {@code checkpoint}: cadence and retention.
     *
     * @param keep checkpoints kept (5)
     * @param interval save every N updates, 0 = once per epoch (1000)
     * @param dir where checkpoints go: empty for {@code <output>/checkpoints}, else a local path or any Hadoop file
     *     system URI (hdfs://, s3a://) every rank can reach ("")
     */
    public record Checkpoint(Integer keep, Integer interval, String dir) {
        /** Fills defaults and validates. */
        public Checkpoint {
            keep = keep == null ? 5 : keep;
            dir = dir == null ? "" : dir.strip();
            interval = interval == null ? 1000 : interval;
            require(keep >= 1, "checkpoint.keep must be >= 1, got " + keep);
            require(interval >= 0, "checkpoint.interval must be >= 0 (0 = per epoch), got " + interval);
            require(dir.isEmpty() || dir.startsWith("/") || dir.matches("[A-Za-z][A-Za-z0-9+.-]+:.*"),
                    "checkpoint.dir must be absolute (a URI such as hdfs://nn/exp/ckpt, or /exp/ckpt on the default "
                    + "file system): a relative '" + dir + "' would name a different folder on every executor");
        }
    }

    /**
     * {@code expert_parallel}: settings of expert-parallel runs ({@code train --ranks N}); ignored in one process.
     *
     * @param checksumInterval every N updates, check that the replicated parameters (the routers' gates above all)
     *     are bit-identical on every rank; 0 = never (100)
     * @param bucketMb gradient all-reduce bucket size in MiB (16)
     * @param timeoutSeconds the longest any rank waits for a peer (rendezvous, connection, each exchange, all-reduce)
     *     before the job fails with a message naming the rank, the peer and the phase (300)
     * @param threadsPerRank libtorch intra-op threads per rank; 0 = the executor's cores / ranks on it, at least 1
     *     (0)
     * @param maxAttempts how many times the driver runs the training job when it fails (a rank died or threw), each
     *     run resuming from the newest committed checkpoint; Spark's own stage retries
     *     ({@code spark.stage.maxConsecutiveAttempts}) come on top (3)
     * @param retryBackoffSeconds the wait before the second run, doubled before each further one (10)
     * @param tls TLS for the exchange between ranks (off)
     * @param maxFrameMb the largest frame a rank sends or receives in MiB; sizes announced by peers (their routing
     *     counts) are checked against it before anything is allocated (1024)
     * @param expertParallelSize ranks per expert-parallel group (tokens travel inside it; together its ranks hold every
     *     expert once); the ranks at the same position of every group form a data-parallel replica group that sums
     *     their experts' gradients. It must divide the number of experts and the number of ranks; 0 = min(ranks,
     *     experts) (0)
     * @param wireDtype what token rows (the all-to-all, forward and backward) and gradient all-reduce chunks travel
     *     as between ranks: float32 (exact: N ranks train like one process to float32 rounding) or bfloat16 (half the
     *     bytes; every value sent is rounded to bfloat16, arithmetic stays float32; docs/expert-parallel.md states
     *     what it costs) (float32)
     * @param ringPieceKb on a float32 wire, the ring all-reduce of large buffers streams pieces of this many KiB,
     *     each sent on as soon as it is summed; 0 = a ring step at a time (docs/benchmarks.md: on two loopback cores
     *     the pieces were slower) (0)
     */
    public record ExpertParallel(Integer checksumInterval, Integer bucketMb, Integer timeoutSeconds,
            Integer threadsPerRank, Integer maxAttempts, Double retryBackoffSeconds, Tls tls, Integer maxFrameMb,
            Integer expertParallelSize, String wireDtype, Integer ringPieceKb) {
        /** Fills defaults and validates. */
        public ExpertParallel {
            checksumInterval = checksumInterval == null ? 100 : checksumInterval;
            bucketMb = bucketMb == null ? 16 : bucketMb;
            timeoutSeconds = timeoutSeconds == null ? 300 : timeoutSeconds;
            threadsPerRank = threadsPerRank == null ? 0 : threadsPerRank;
            maxAttempts = maxAttempts == null ? 3 : maxAttempts;
            tls = tls == null ? new Tls(null, null, null, null, null) : tls;
            maxFrameMb = maxFrameMb == null ? 1024 : maxFrameMb;
            expertParallelSize = expertParallelSize == null ? 0 : expertParallelSize;
            wireDtype = oneOf("expert_parallel.wire_dtype", wireDtype == null ? "float32" : wireDtype,
                    List.of("float32", "bfloat16"));
            require(expertParallelSize >= 0, "expert_parallel.expert_parallel_size must be >= 0 (0 = min(ranks, "
                    + "experts)), got " + expertParallelSize);
            require(maxFrameMb >= 1, "expert_parallel.max_frame_mb must be >= 1, got " + maxFrameMb);
            ringPieceKb = ringPieceKb == null ? 0 : ringPieceKb;
            require(ringPieceKb >= 0 && ringPieceKb <= 1 << 20, "expert_parallel.ring_piece_kb must be in [0, "
                    + (1 << 20) + "] (0 = a ring step at a time), got " + ringPieceKb);
            retryBackoffSeconds = retryBackoffSeconds == null ? 10.0 : retryBackoffSeconds;
            require(maxAttempts >= 1, "expert_parallel.max_attempts must be >= 1, got " + maxAttempts);
            require(retryBackoffSeconds >= 0 && retryBackoffSeconds <= 3600,
                    "expert_parallel.retry_backoff_seconds must be in [0, 3600], got " + retryBackoffSeconds);
            require(checksumInterval >= 0, "expert_parallel.checksum_interval must be >= 0 (0 = never), got "
                    + checksumInterval);
            require(bucketMb >= 1, "expert_parallel.bucket_mb must be >= 1, got " + bucketMb);
            require(timeoutSeconds >= 1, "expert_parallel.timeout_seconds must be >= 1, got " + timeoutSeconds);
            require(threadsPerRank >= 0, "expert_parallel.threads_per_rank must be >= 0 (0 = cores / ranks), got "
                    + threadsPerRank);
        }
    }

    /**
     * {@code expert_parallel.tls}: mutual TLS 1.3 between ranks (docs/operations.md). The store passwords are read
     * from files (e.g. a Kubernetes secret mounted read-only, or a file only the job's user can read), never from a
     * config file or a command line; without a password file, from the environment variables {@code
     * OMNISPARK_TLS_KEYSTORE_PASSWORD} and {@code OMNISPARK_TLS_TRUSTSTORE_PASSWORD}.
     *
     * @param enabled whether the exchange runs over TLS (false)
     * @param keystore PKCS12 key store with the ranks' key and certificate, readable on every executor ("")
     * @param truststore PKCS12 trust store with the certificates the ranks accept ("")
     * @param keystorePasswordFile file holding the key store's password (one line), readable on every executor
     *     ("": the environment variable)
     * @param truststorePasswordFile file holding the trust store's password ("": the environment variable)
     */
    public record Tls(Boolean enabled, String keystore, String truststore, String keystorePasswordFile,
            String truststorePasswordFile) {
        /** Fills defaults and validates. */
        public Tls {
            enabled = enabled != null && enabled;
            keystore = keystore == null ? "" : keystore.strip();
            truststore = truststore == null ? "" : truststore.strip();
            keystorePasswordFile = keystorePasswordFile == null ? "" : keystorePasswordFile.strip();
            truststorePasswordFile = truststorePasswordFile == null ? "" : truststorePasswordFile.strip();
            require(!enabled || (!keystore.isEmpty() && !truststore.isEmpty()), "expert_parallel.tls.enabled needs "
                    + "expert_parallel.tls.keystore and expert_parallel.tls.truststore (PKCS12 files on every "
                    + "executor)");
        }
    }
}
