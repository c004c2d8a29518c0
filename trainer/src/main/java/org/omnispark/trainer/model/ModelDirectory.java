package org.omnispark.trainer.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.job.Version;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.text.SentencePieceTokenizer;
import org.omnispark.data.text.Tokenizer;
import org.omnispark.data.text.Tokenizers;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;

/**
 * The output folder of {@code omnispark train}, which is also the model folder {@code omnispark eval} reads, on any
 * Hadoop file system.
 *
 * <pre>
 *   DIR/model.json           model config, train config, vocabulary size, the training set's CMVN sums, seed
 *   DIR/units.txt            the tokenizer (copied from the training set; spm.model too for SentencePiece)
 *   DIR/checkpoints/         ckpt-N folders (CheckpointManager), unless checkpoint.dir names another folder
 *   DIR/metrics.jsonl        one line per logged step and per validation
 *   DIR/tensorboard/         the TensorBoard event file
 * </pre>
 *
 * @param dir the folder (any Hadoop URI)
 * @param modelConfig the model config
 * @param trainConfig the training config
 * @param vocabSize V
 * @param cmvn the training set's CMVN sums (applied by the model's GlobalCmvn), or null
 * @param createdBy the OmniSpark version and commit that trained it
 */
public record ModelDirectory(Location dir, ModelConfig modelConfig, TrainConfig trainConfig, int vocabSize,
        DatasetManifest.Cmvn cmvn, String createdBy) {

    /** The index file. */
    public static final String MODEL_FILE = "model.json";
    /** The checkpoint folder inside DIR. */
    public static final String CHECKPOINTS = "checkpoints";

    /** Validates. */
    public ModelDirectory {
        if (dir == null || modelConfig == null || trainConfig == null || vocabSize < 3) {
            throw new IllegalArgumentException("dir, modelConfig, trainConfig and vocabSize >= 3 are required");
        }
    }

    /**
     * Writes {@code model.json} and copies the tokenizer of a prepared dataset into {@code dir}.
     *
     * @param storage the storage of both folders
     * @param dir the output folder (created)
     * @param modelConfig the model config
     * @param trainConfig the training config
     * @param dataset the prepared training set (dataset.json, units.txt)
     * @return the model folder
     */
    public static ModelDirectory create(Storage storage, Location dir, ModelConfig modelConfig,
            TrainConfig trainConfig, Location dataset) {
        DatasetManifest manifest = DatasetManifest.read(dataset.toString(), storage.conf());
        ModelDirectory md = describe(dir, modelConfig, trainConfig, manifest);
        write(storage, md, manifest, dataset);
        return md;
    }

    /** {@link #create(Storage, Location, ModelConfig, TrainConfig, Location)} of local folders. */
    public static ModelDirectory create(Path dir, ModelConfig modelConfig, TrainConfig trainConfig, Path dataset) {
        return create(Storage.of(new org.apache.hadoop.conf.Configuration()), Location.of(dir), modelConfig,
                trainConfig, Location.of(dataset));
    }

    /**
     * The model folder {@link #create} would write, without writing anything (ranks other than 0 of a distributed
     * run use it).
     *
     * @param storage the storage of the dataset
     * @param dir the output folder
     * @param modelConfig the model config
     * @param trainConfig the training config
     * @param dataset the prepared training set
     * @return the description
     */
    public static ModelDirectory describe(Storage storage, Location dir, ModelConfig modelConfig,
            TrainConfig trainConfig, Location dataset) {
        return describe(dir, modelConfig, trainConfig, DatasetManifest.read(dataset.toString(), storage.conf()));
    }

    /** {@link #describe(Storage, Location, ModelConfig, TrainConfig, Location)} of local folders. */
    public static ModelDirectory describe(Path dir, ModelConfig modelConfig, TrainConfig trainConfig, Path dataset) {
        return describe(Storage.of(new org.apache.hadoop.conf.Configuration()), Location.of(dir), modelConfig,
                trainConfig, Location.of(dataset));
    }

    private static ModelDirectory describe(Location dir, ModelConfig modelConfig, TrainConfig trainConfig,
            DatasetManifest manifest) {
        int vocab = modelConfig.outputDim() > 0 ? modelConfig.outputDim() : manifest.tokenizer().vocabSize();
        if (manifest.featureDim() != modelConfig.inputDim()) {
            throw new IllegalArgumentException("The dataset has " + manifest.featureDim() + " feature bins but the "
                    + "model's input_dim is " + modelConfig.inputDim() + "; pass model.input_dim="
                    + manifest.featureDim());
        }
        return new ModelDirectory(dir, modelConfig, trainConfig, vocab, manifest.cmvn(), Version.describe());
    }

    private static void write(Storage storage, ModelDirectory md, DatasetManifest manifest, Location dataset) {
        Location dir = md.dir();
        int vocab = md.vocabSize();
        try {
            ObjectMapper json = ConfigLoader.json();
            ObjectNode root = json.createObjectNode();
            root.set("model_config", configTree(md.modelConfig()));
            root.set("train_config", configTree(md.trainConfig()));
            root.put("vocab_size", vocab);
            root.set("cmvn", json.valueToTree(manifest.cmvn()));
            root.put("train_data", dataset.toString());
            root.put("train_data_fingerprint", manifest.totals().rows() + " rows, " + manifest.totals().frames()
                    + " frames, " + manifest.shards().size() + " shards");
            root.put("created_by", md.createdBy());
            Location existing = dir.resolve(MODEL_FILE);
            if (storage.exists(existing)) { // a resumed run: it must be the same training
                ResumeCheck.requireSameTraining(dir, json.readTree(storage.readBytes(existing)), root);
            }
            storage.mkdirs(dir);
            storage.copy(dataset.resolve(manifest.tokenizer().unitsFile()), dir.resolve(Tokenizer.UNITS_FILE));
            if (manifest.tokenizer().modelFile() != null) {
                storage.copy(dataset.resolve(manifest.tokenizer().modelFile()),
                        dir.resolve(SentencePieceTokenizer.MODEL_FILE));
            }
            storage.write(dir.resolve(MODEL_FILE), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A config record as the JSON tree {@link ConfigLoader#bind} reads back: record components only (derived
     * {@code isX()} methods such as {@code FfnConf.isMoe()} are left out, the strict binder would reject them).
     *
     * @param config a config record
     * @return its tree, snake_case keys
     */
    public static JsonNode configTree(Object config) {
        ObjectMapper mapper = ConfigLoader.json().copy();
        mapper.setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE);
        return mapper.valueToTree(config);
    }

    /**
     * Reads a model folder written by {@link #create}.
     *
     * @param storage the storage of the folder
     * @param dir a {@code train --out} folder
     * @return the model folder
     */
    public static ModelDirectory read(Storage storage, Location dir) {
        Location file = dir.resolve(MODEL_FILE);
        try {
            if (!storage.exists(file)) {
                throw new IllegalArgumentException(dir + " is not a model folder (no " + MODEL_FILE + "); pass the "
                        + "--out folder of omnispark train");
            }
            JsonNode root = ConfigLoader.json().readTree(storage.readBytes(file));
            ModelConfig mc = ConfigLoader.bind(root.get("model_config"), ModelConfig.class, file + ":model_config");
            TrainConfig tc = ConfigLoader.bind(root.get("train_config"), TrainConfig.class, file + ":train_config");
            JsonNode cmvnNode = root.get("cmvn");
            DatasetManifest.Cmvn cmvn = cmvnNode == null || cmvnNode.isNull() ? null
                    : ConfigLoader.json().treeToValue(cmvnNode, DatasetManifest.Cmvn.class);
            return new ModelDirectory(dir, mc, tc, root.get("vocab_size").asInt(), cmvn,
                    root.path("created_by").asText("unknown"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@link #read(Storage, Location)} of a local folder. */
    public static ModelDirectory read(Path dir) {
        return read(Storage.of(new org.apache.hadoop.conf.Configuration()), Location.of(dir));
    }

    /**
     * Builds a freshly initialized model (seeded with the train config's seed); restore a checkpoint into it.
     *
     * @param manager the model's long-lived manager
     * @return the model
     */
    public U2Model newModel(NDManager manager) {
        return newModel(manager, ExpertParallelism.NONE);
    }

    /**
     * Builds one rank's share of the model: every replicated parameter, and only this rank's experts, each with the
     * values it has in {@link #newModel(NDManager)}.
     *
     * @param manager the model's long-lived manager
     * @param parallelism this rank's place in an expert-parallel job
     * @return the model
     */
    public U2Model newModel(NDManager manager, ExpertParallelism parallelism) {
        return U2Model.builder().setManager(manager).setConfig(modelConfig).setVocabSize(vocabSize).optCmvn(cmvn)
                .optSeed(trainConfig.seed()).optParallelism(parallelism).build();
    }

    /**
     * @param storage the storage of the folder
     * @return the tokenizer copied from the training set
     */
    public Tokenizer tokenizer(Storage storage) {
        try {
            return Tokenizers.load(storage.localFolder(dir,
                    List.of(Tokenizer.UNITS_FILE, SentencePieceTokenizer.MODEL_FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + dir + ": " + e.getMessage(), e);
        }
    }

    /** @return {@code DIR/checkpoints} */
    public Location checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    /**
     * @return where the checkpoints are: {@code checkpoint.dir} of the train config when set (any Hadoop file system),
     *     else {@link #checkpoints()}
     */
    public org.apache.hadoop.fs.Path checkpointDirectory() {
        return checkpointDirectory(dir, trainConfig);
    }

    /**
     * @param dir a model (output) folder
     * @param trainConfig its training config
     * @return where its checkpoints are: {@code checkpoint.dir} when set, else {@code dir/checkpoints}
     */
    public static org.apache.hadoop.fs.Path checkpointDirectory(Location dir, TrainConfig trainConfig) {
        String configured = trainConfig.checkpoint().dir();
        return configured.isEmpty() ? dir.resolve(CHECKPOINTS).toHadoop() : new org.apache.hadoop.fs.Path(configured);
    }
}
