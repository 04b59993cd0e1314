package ai.booth.diffusion.train;

import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.io.SafeTensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A resumable checkpoint of a network trained whole ({@link VaeTrainer}, {@link ContrastiveTrainer}): its weights,
 * the AdamW moments and a JSON state of the trainer's own (step, random streams, settings), written atomically.
 */
final class WeightsCheckpoint {

    private static final String WEIGHTS = "weights.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private WeightsCheckpoint() {
    }

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE));
    }

    /** Writes the checkpoint to {@code dir}, replacing one there only once the new one is complete. */
    static void write(Path dir, Map<String, NDArray> weights, AdamW optimizer, Object state) {
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp");
        try {
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            SafeTensors.write(tmp.resolve(WEIGHTS), weights, Map.of("format", "pt"));
            SafeTensors.write(tmp.resolve(OPTIMIZER), optimizer.state(), Map.of());
            JSON.writeValue(tmp.resolve(STATE).toFile(), state);
            FileTrees.delete(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    /** The trainer's state, checked to be of {@code format} (a record with a {@code format} component). */
    static <T> T readState(Path dir, Class<T> type, String format) {
        Path file = dir.resolve(STATE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " is not a checkpoint (no " + STATE + ")");
        }
        try {
            if (!format.equals(JSON.readTree(file.toFile()).path("format").asText())) {
                throw new IllegalArgumentException(file + " is not a " + format + " checkpoint");
            }
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Copies the saved weights into {@code weights} (same names, same shapes) and the moments into the optimizer. */
    static void restore(Path dir, Map<String, NDArray> weights, AdamW optimizer, long optimizerSteps) {
        try (NDManager scratch = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            Map<String, NDArray> saved = SafeTensors.read(dir.resolve(WEIGHTS), scratch);
            weights.forEach((name, target) -> {
                NDArray value = saved.get(name);
                if (value == null || !value.getShape().equals(target.getShape())) {
                    throw new IllegalArgumentException("checkpoint " + dir + ": " + name
                            + (value == null ? " missing" : " is " + value.getShape() + ", expected " + target.getShape()));
                }
                target.set(value.toByteBuffer());
            });
            optimizer.load(SafeTensors.read(dir.resolve(OPTIMIZER), scratch), optimizerSteps);
        }
    }
}
