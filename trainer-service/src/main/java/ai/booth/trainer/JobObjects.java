package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Payload;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.service.ObjectStore;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The S3 state of one training, which is what lets any worker resume or answer for it:
 * <pre>
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/checkpoint-000040/...   an engine checkpoint (state.json, factors, moments, latents)
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/checkpoint.json          pointer to the newest complete checkpoint (written last)
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/validation/step-000040/00.png
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/outcome.json             the terminal event's payload: the job is over
 * adapters/&lt;owner&gt;/&lt;trainingId&gt;/pytorch_lora_weights.safetensors, lora_kohya.safetensors, metadata.json
 * </pre>
 */
final class JobObjects {

    static final String POINTER = "checkpoint.json";
    static final String OUTCOME = "outcome.json";

    /** The newest checkpoint: its step and the key prefix of its files. */
    record CheckpointPointer(int step, String prefix, List<String> files) { }

    /** A terminal state: exactly one of the two is set. */
    record Outcome(TrainingCompleted completed, TrainingFailed failed) {
        Payload payload() {
            return completed != null ? completed : failed;
        }
    }

    private final ObjectStore store;
    private final ObjectMapper json;
    private final String ownerId;
    private final String prefix;
    private final String adapterPrefix;

    JobObjects(ObjectStore store, ObjectMapper json, String ownerId, String trainingId) {
        this.store = store;
        this.json = json;
        this.ownerId = ownerId;
        this.prefix = Buckets.checkpointPrefix(ownerId, trainingId);
        this.adapterPrefix = Buckets.adapterPrefix(ownerId, trainingId);
    }

    String ownerId() {
        return ownerId;
    }

    Optional<Outcome> outcome() {
        if (!store.exists(Buckets.CHECKPOINTS, prefix + OUTCOME)) {
            return Optional.empty();
        }
        return Optional.of(read(Buckets.CHECKPOINTS, prefix + OUTCOME, Outcome.class));
    }

    void writeOutcome(Payload payload) {
        Outcome outcome = payload instanceof TrainingCompleted c ? new Outcome(c, null)
                : new Outcome(null, (TrainingFailed) payload);
        write(Buckets.CHECKPOINTS, prefix + OUTCOME, outcome);
    }

    /**
     * Uploads an engine checkpoint directory: its files first, then the pointer, then older checkpoints beyond
     * {@code keep} are deleted — so the pointer always names a complete checkpoint, and a crash at any moment leaves
     * one behind. Answers the key of the checkpoint's {@code state.json}.
     */
    String uploadCheckpoint(int step, Path dir, int keep) {
        String checkpoint = prefix + String.format("checkpoint-%06d/", step);
        List<String> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                store.put(Buckets.CHECKPOINTS, checkpoint + name, file, contentType(name));
                files.add(name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + dir, e);
        }
        write(Buckets.CHECKPOINTS, prefix + POINTER, new CheckpointPointer(step, checkpoint, files));
        prune(keep);
        return checkpoint + "state.json";
    }

    private void prune(int keep) {
        TreeSet<String> checkpoints = new TreeSet<>();
        List<String> keys = store.list(Buckets.CHECKPOINTS, prefix + "checkpoint-");
        for (String key : keys) {
            checkpoints.add(key.substring(0, key.indexOf('/', prefix.length()) + 1));
        }
        List<String> old = new ArrayList<>(checkpoints).subList(0, Math.max(0, checkpoints.size() - Math.max(1, keep)));
        keys.stream().filter(key -> old.stream().anyMatch(key::startsWith))
                .forEach(key -> store.remove(Buckets.CHECKPOINTS, key));
    }

    /** Whether the job stored a complete checkpoint: it was interrupted and resumes from it. */
    boolean hasCheckpoint() {
        return store.exists(Buckets.CHECKPOINTS, prefix + POINTER);
    }

    /** Downloads the newest complete checkpoint into {@code target}; empty when the job never wrote one. */
    Optional<CheckpointPointer> downloadLatestCheckpoint(Path target) {
        if (!store.exists(Buckets.CHECKPOINTS, prefix + POINTER)) {
            return Optional.empty();
        }
        CheckpointPointer pointer = read(Buckets.CHECKPOINTS, prefix + POINTER, CheckpointPointer.class);
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target, e);
        }
        for (String name : pointer.files()) {
            store.download(Buckets.CHECKPOINTS, pointer.prefix() + name, target.resolve(name), Long.MAX_VALUE);
        }
        return Optional.of(pointer);
    }

    /** Uploads validation images of a step; answers their keys. */
    List<String> uploadValidation(int step, List<Path> images) {
        List<String> keys = new ArrayList<>();
        for (Path image : images) {
            String key = prefix + String.format("validation/step-%06d/", step) + image.getFileName();
            store.put(Buckets.CHECKPOINTS, key, image, "image/png");
            keys.add(key);
        }
        return keys;
    }

    /** Keys of every stored validation image, oldest step first. */
    List<String> validationKeys() {
        return store.list(Buckets.CHECKPOINTS, prefix + "validation/");
    }

    /** Keys of the {@code state.json} of every stored checkpoint, oldest first. */
    List<String> checkpointKeys() {
        return store.list(Buckets.CHECKPOINTS, prefix + "checkpoint-").stream()
                .filter(key -> key.endsWith("/state.json")).toList();
    }

    /**
     * Uploads a training's result files (the adapter's two layouts, or a full fine-tune's single-file model, and the
     * metadata: pass it last) under the job's adapter prefix; answers the key of each, in order.
     */
    List<String> uploadResult(Path... files) {
        List<String> keys = new ArrayList<>();
        for (Path file : files) {
            String key = adapterPrefix + file.getFileName();
            store.put(Buckets.ADAPTERS, key, file, contentType(key));
            keys.add(key);
        }
        return keys;
    }

    private static String contentType(String name) {
        return name.endsWith(".json") ? "application/json" : "application/octet-stream";
    }

    private void write(String bucket, String key, Object value) {
        try {
            store.put(bucket, key, json.writeValueAsBytes(value), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write s3://" + bucket + "/" + key, e);
        }
    }

    private <T> T read(String bucket, String key, Class<T> type) {
        try {
            return json.readValue(store.get(bucket, key), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }
}
