package ai.booth.diffusion.train;

import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraModule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A resumable training checkpoint: a directory holding
 * <ul>
 *   <li>{@code lora.safetensors} — every trained tensor (float32): LoRA factors by PEFT key, new token rows as
 *       {@code embeddings};</li>
 *   <li>{@code optimizer.safetensors} — AdamW's moments ({@code exp_avg.<key>}, {@code exp_avg_sq.<key>});</li>
 *   <li>{@code latent-cache.safetensors} — the prepared data (a hard link to the job's cache when possible);</li>
 *   <li>{@code state.json} — the step, the config, every random stream's state, the data order position, the loss
 *       scaler, timings and the base model's hash ({@link State}).</li>
 * </ul>
 * The directory appears atomically: it is written under a temporary name and renamed when complete.
 */
public final class TrainingCheckpoint {

    public static final String FORMAT = "booth.dreambooth-lora-checkpoint/1";
    static final String LORA = "lora.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String CACHE = "latent-cache.safetensors";
    static final String STATE = "state.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Everything but the tensors. */
    public record State(String format, int step, long optimizerSteps, TrainingConfig config, String baseModelHash,
                        Map<String, String> random, DataOrder.State dataOrder, float lossScale, int lossScaleGoodSteps,
                        float lastLoss, double elapsedSeconds) { }

    private TrainingCheckpoint() {
    }

    /**
     * Writes a checkpoint to {@code dir} (replacing one there).
     *
     * @param cacheFile the job's saved latent cache, linked (or copied) into the checkpoint
     */
    public static void write(Path dir, State state, LoraAdapter adapter, AdamW optimizer, Path cacheFile) {
        write(dir, state, factors(adapter), optimizer, cacheFile);
    }

    /** Writes a checkpoint of these trained tensors (by name) to {@code dir} (replacing one there). */
    public static void write(Path dir, State state, Map<String, NDArray> trained, AdamW optimizer, Path cacheFile) {
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp");
        try {
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            SafeTensors.write(tmp.resolve(LORA), trained, Map.of("format", "pt"));
            SafeTensors.write(tmp.resolve(OPTIMIZER), optimizer.state(), Map.of());
            try {
                Files.createLink(tmp.resolve(CACHE), cacheFile);
            } catch (FileSystemException | UnsupportedOperationException e) {
                Files.copy(cacheFile, tmp.resolve(CACHE));
            }
            JSON.writeValue(tmp.resolve(STATE).toFile(), state);
            FileTrees.delete(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    /** The factors of every module by PEFT key. */
    static Map<String, NDArray> factors(LoraAdapter adapter) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (LoraModule m : adapter.modules()) {
            out.put(m.peftName() + ".lora_A.weight", m.down());
            out.put(m.peftName() + ".lora_B.weight", m.up());
        }
        return out;
    }

    public static State readState(Path dir) {
        Path file = dir.resolve(STATE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " is not a training checkpoint (no " + STATE + ")");
        }
        try {
            State s = JSON.readValue(file.toFile(), State.class);
            if (!FORMAT.equals(s.format())) {
                throw new IllegalArgumentException(file + ": format '" + s.format() + "', expected " + FORMAT);
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Copies the saved factors into the adapter's (same modules, same shapes) and the moments into the optimizer. */
    public static void restoreTensors(Path dir, LoraAdapter adapter, AdamW optimizer, long optimizerSteps) {
        restoreTensors(dir, factors(adapter), optimizer, optimizerSteps);
    }

    /** Copies the saved tensors into {@code trained} (same names, same shapes) and the moments into the optimizer. */
    public static void restoreTensors(Path dir, Map<String, NDArray> trained, AdamW optimizer, long optimizerSteps) {
        try (NDManager scratch = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            Map<String, NDArray> saved = SafeTensors.read(dir.resolve(LORA), scratch);
            trained.forEach((name, target) -> {
                NDArray value = saved.get(name);
                if (value == null || !value.getShape().equals(target.getShape())) {
                    throw new IllegalArgumentException("checkpoint " + dir + ": factor " + name
                            + (value == null ? " missing" : " is " + value.getShape() + ", expected " + target.getShape()));
                }
                target.set(value.toByteBuffer());
            });
            optimizer.load(SafeTensors.read(dir.resolve(OPTIMIZER), scratch), optimizerSteps);
        }
    }
}
