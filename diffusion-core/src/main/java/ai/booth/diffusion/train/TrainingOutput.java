package ai.booth.diffusion.train;

import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.loader.DiffusersExport;
import ai.booth.diffusion.loader.LdmExport;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraLayout;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Writes a trained adapter: {@code pytorch_lora_weights.safetensors} (diffusers/PEFT), {@code lora_kohya.safetensors}
 * (kohya/A1111) and {@code metadata.json}. Both adapter files carry the key facts in their safetensors metadata —
 * kohya's {@code ss_*} keys, which A1111 shows, and {@code booth_*} keys. Learned tokens go beside them as
 * {@code <dir name>.safetensors} (A1111) and {@code <dir name>_emb.safetensors} (kohya/diffusers); the adapter files
 * name them ({@value #EMBEDDING_KEY}, {@code booth_tokens}) so generation loads them with the LoRA.
 */
public final class TrainingOutput {

    public static final String METADATA = "metadata.json";
    /** A full fine-tune's model: diffusers folder and single A1111 file. */
    public static final String MODEL_FOLDER = "model";
    public static final String MODEL_FILE = "model.safetensors";
    /** Adapter metadata naming the A1111 embedding file written beside it. */
    public static final String EMBEDDING_KEY = TextualInversion.ADAPTER_KEY;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How the run went, for the metadata. */
    public record Stats(int steps, int epochs, float finalLoss, int instanceImages, int classImages, Instant started,
                        Instant finished, double trainingSeconds) { }

    private TrainingOutput() {
    }

    /** Writes the three files into {@code dir} and returns the result. */
    public static TrainingResult write(Path dir, LoraAdapter adapter, StableDiffusionModel model, TrainingConfig config,
                                       Stats stats, Path lastCheckpoint) {
        return write(dir, adapter, null, model, config, stats, lastCheckpoint);
    }

    /** Writes a LoRA and/or embeddings (see the full form). */
    public static TrainingResult write(Path dir, LoraAdapter adapter, TrainableEmbeddings embeddings,
                                       StableDiffusionModel model, TrainingConfig config, Stats stats,
                                       Path lastCheckpoint) {
        return write(dir, adapter, embeddings, null, model, config, stats, lastCheckpoint);
    }

    /**
     * Writes what was trained into {@code dir}: the adapter files (unless {@code adapter} is null, textual inversion),
     * the embedding files (unless {@code embeddings} is null), a full fine-tune's model as the diffusers folder
     * {@value #MODEL_FOLDER} (when the base has a config folder) and the A1111 file {@value #MODEL_FILE} (SD-1 text
     * encoders) unless {@code fineTuned} is null, and the metadata.
     *
     * @param model the base model (provenance)
     */
    public static TrainingResult write(Path dir, LoraAdapter adapter, TrainableEmbeddings embeddings,
                                       StableDiffusionModel fineTuned, StableDiffusionModel model,
                                       TrainingConfig config, Stats stats, Path lastCheckpoint) {
        Map<String, String> meta = safetensorsMetadata(model, config, stats);
        Path peft = adapter == null ? null : dir.resolve(LoraLayout.PEFT.fileName());
        Path kohya = adapter == null ? null : dir.resolve(LoraLayout.KOHYA.fileName());
        Path metadata = dir.resolve(METADATA);
        List<Path> embeddingFiles = List.of();
        Path modelFolder = null;
        Path modelFile = null;
        try {
            Files.createDirectories(dir);
            if (embeddings != null) {
                embeddingFiles = TextualInversion.save(dir, embeddingName(dir), embeddings.tokens(), embeddings.rows(),
                        meta);
                meta.put(EMBEDDING_KEY, embeddingFiles.get(0).getFileName().toString());
                meta.put(TextualInversion.TOKENS_KEY, JSON.writeValueAsString(embeddings.tokens()));
            }
            if (adapter != null) {
                adapter.save(peft, LoraLayout.PEFT, meta);
                adapter.save(kohya, LoraLayout.KOHYA, meta);
            }
            if (fineTuned != null) {
                if (fineTuned.configDir() != null) {
                    modelFolder = dir.resolve(MODEL_FOLDER);
                    DiffusersExport.write(fineTuned, modelFolder, meta);
                }
                if (!fineTuned.configs().textEncoder().hiddenAct().equals("gelu")) {   // OpenCLIP: no A1111 file
                    modelFile = dir.resolve(MODEL_FILE);
                    LdmExport.write(fineTuned, modelFile, meta);
                }
            }
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("booth_version", boothVersion());
            record.put("base_model", Map.of("source", String.valueOf(model.source()), "hash", model.contentHash()));
            record.put("dataset_id", config.datasetId());
            record.put("config", config);
            record.put("steps", stats.steps());
            record.put("epochs", stats.epochs());
            record.put("final_loss", stats.finalLoss());
            record.put("instance_images", stats.instanceImages());
            record.put("class_images", stats.classImages());
            record.put("timings", Map.of("started", stats.started().toString(), "finished", stats.finished().toString(),
                    "training_seconds", stats.trainingSeconds(),
                    "seconds_per_step", stats.steps() == 0 ? 0 : stats.trainingSeconds() / stats.steps()));
            if (embeddings != null) {
                record.put("tokens", embeddings.tokens());
            }
            Map<String, String> files = new LinkedHashMap<>();
            if (adapter != null) {
                files.put("peft", peft.getFileName().toString());
                files.put("kohya", kohya.getFileName().toString());
            }
            if (modelFolder != null) {
                files.put("diffusers", MODEL_FOLDER);
            }
            if (modelFile != null) {
                files.put("single_file", MODEL_FILE);
            }
            if (!embeddingFiles.isEmpty()) {
                files.put("embedding_a1111", embeddingFiles.get(0).getFileName().toString());
                files.put("embedding_kohya", embeddingFiles.get(1).getFileName().toString());
            }
            record.put("files", files);
            Path tmp = dir.resolve("." + METADATA + ".tmp");
            JSON.writeValue(tmp.toFile(), record);
            Files.move(tmp, metadata, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training output to " + dir, e);
        }
        return new TrainingResult(peft, kohya, metadata, lastCheckpoint, stats.steps(), stats.finalLoss(), false,
                embeddingFiles, modelFolder, modelFile);
    }

    /**
     * The adapter and embedding files a run wrote into {@code dir} (a snapshot, or a finished run's folder), as its
     * {@value #METADATA} lists them; a full fine-tune's model is not read back.
     */
    public static TrainingResult read(Path dir) {
        Path metadata = dir.resolve(METADATA);
        try {
            JsonNode record = JSON.readTree(metadata.toFile());
            JsonNode files = record.path("files");
            Function<String, Path> file = key -> files.hasNonNull(key)
                    ? dir.resolve(files.get(key).asText()) : null;
            List<Path> embeddingFiles = files.hasNonNull("embedding_a1111")
                    ? List.of(file.apply("embedding_a1111"), file.apply("embedding_kohya")) : List.of();
            return new TrainingResult(file.apply("peft"), file.apply("kohya"), metadata, null,
                    record.path("steps").asInt(), (float) record.path("final_loss").asDouble(), false, embeddingFiles);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training output " + metadata, e);
        }
    }

    /** The embedding's name (its A1111 trigger): the output folder's name, reduced to safe file-name characters. */
    static String embeddingName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String n = name == null ? "" : name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return n.isEmpty() || n.startsWith(".") ? "embedding" : n;
    }

    /** kohya's {@code ss_*} keys where a counterpart exists, plus {@code booth_*} keys. */
    static Map<String, String> safetensorsMetadata(StableDiffusionModel model, TrainingConfig c, Stats s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (c.trainsLora()) {
            m.put("ss_network_module", "networks.lora");
            m.put("ss_network_dim", Integer.toString(c.rank()));
            m.put("ss_network_alpha", Float.toString(c.alpha()));
        }
        m.put("booth_mode", c.mode());
        m.put("ss_sd_model_hash", model.contentHash());
        m.put("ss_sd_model_name", model.source() == null ? "" : model.source().getFileName().toString());
        m.put("ss_learning_rate", Double.toString(c.lrUnet()));
        m.put("ss_unet_lr", Double.toString(c.lrUnet()));
        m.put("ss_text_encoder_lr", c.trainTextEncoder() ? Double.toString(c.lrTextEncoder()) : "0");
        m.put("ss_max_train_steps", Integer.toString(s.steps()));
        m.put("ss_steps", Integer.toString(s.steps()));
        m.put("ss_epoch", Integer.toString(s.epochs()));
        m.put("ss_seed", Long.toString(c.seed()));
        m.put("ss_resolution", "(" + c.resolution() + ", " + c.resolution() + ")");
        m.put("ss_num_train_images", Integer.toString(s.instanceImages()));
        m.put("ss_num_reg_images", Integer.toString(s.classImages()));
        m.put("ss_batch_size_per_device", Integer.toString(c.batchSize()));
        m.put("ss_gradient_accumulation_steps", Integer.toString(c.gradientAccumulation()));
        m.put("ss_lr_scheduler", c.lrSchedule());
        m.put("ss_lr_warmup_steps", Integer.toString(c.warmupSteps()));
        m.put("ss_prior_loss_weight", c.priorPreservation() ? Double.toString(c.priorLossWeight()) : "0");
        m.put("ss_mixed_precision", c.mixedPrecision());
        m.put("ss_max_grad_norm", Double.toString(c.maxGradNorm()));
        m.put("ss_clip_skip", Integer.toString(c.clipSkip()));
        if (c.noiseOffset() > 0) {   // kohya's keys, present when the option is on
            m.put("ss_noise_offset", Double.toString(c.noiseOffset()));
        }
        if (c.snrGamma() > 0) {
            m.put("ss_min_snr_gamma", Double.toString(c.snrGamma()));
        }
        m.put("ss_optimizer", String.format(Locale.ROOT, "torch.optim.AdamW(weight_decay=%s,betas=(%s, %s),eps=%s)",
                c.weightDecay(), c.beta1(), c.beta2(), c.adamEps()));
        m.put("ss_training_started_at", Long.toString(s.started().getEpochSecond()));
        m.put("ss_training_finished_at", Long.toString(s.finished().getEpochSecond()));
        m.put("booth_version", boothVersion());
        m.put("booth_instance_prompt", c.instancePrompt());
        m.put("booth_class_prompt", c.classPrompt() == null ? "" : c.classPrompt());
        m.put("booth_dataset_id", c.datasetId() == null ? "" : c.datasetId());
        m.put("booth_final_loss", Float.toString(s.finalLoss()));
        try {
            m.put("booth_config", JSON.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /** The engine's version from its Maven properties (in the jar), else "dev". */
    public static String boothVersion() {
        try (InputStream in = TrainingOutput.class.getResourceAsStream(
                "/META-INF/maven/ai.booth/diffusion-core/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // fall through
        }
        return "dev";
    }
}
