package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.EvalScores;
import ai.booth.diffusion.train.TrainingOutput;
import ai.booth.diffusion.train.TrainingResult;
import ai.booth.contracts.Payload;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.service.ObjectStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The S3 state of one training, which is what lets any worker resume or answer for it:
 * <pre>
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/checkpoint-000040/...   an engine checkpoint (state.json, factors, moments, latents)
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/checkpoint-000040/files.json  its manifest (step, prefix, files), written after them
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/checkpoint.json          pointer to the latest checkpoint (a copy of its manifest)
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/validation/step-000040/00.png
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/scores/step-000040.json   that step's evaluation scores (a resumed run keeps them)
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/snapshots/step-000040/...  that step's adapter files (to keep the best-scored)
 * checkpoints/&lt;owner&gt;/&lt;trainingId&gt;/outcome.json             the terminal event's payload: the job is over
 * adapters/&lt;owner&gt;/&lt;trainingId&gt;/pytorch_lora_weights.safetensors, lora_kohya.safetensors, metadata.json
 * adapters/&lt;owner&gt;/&lt;trainingId&gt;/scores.json               the scorecard: every scored step, oldest first
 * checkpoints/&lt;owner&gt;/latent-caches/&lt;sha256&gt;.safetensors  latents shared by the owner's trainings ({@link SharedLatents})
 * </pre>
 */
final class JobObjects {

    static final String POINTER = "checkpoint.json";
    static final String OUTCOME = "outcome.json";
    static final String MANIFEST = "files.json";
    static final String SCORECARD = "scores.json";

    private static final Logger LOG = Logger.getLogger(JobObjects.class);

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
     * Uploads an engine checkpoint directory: its files first, then its manifest, then the pointer, then older
     * checkpoints beyond {@code keep} are deleted — so a crash at any moment leaves a complete checkpoint behind.
     * Answers the key of the checkpoint's {@code state.json}.
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
        CheckpointPointer manifest = new CheckpointPointer(step, checkpoint, files);
        write(Buckets.CHECKPOINTS, checkpoint + MANIFEST, manifest);
        write(Buckets.CHECKPOINTS, prefix + POINTER, manifest);
        prune(checkpoint, keep);
        return checkpoint + "state.json";
    }

    /**
     * Deletes the checkpoints beyond the {@code keep} newest, but only those older than the one just written and
     * never the one the pointer names now: another worker may run the same job at once (a handoff that gave up
     * waiting, a worker presumed dead), behind this one, and may just have pointed at its own older checkpoint.
     * A folder's manifest goes first, so a half-deleted folder is never taken for complete.
     */
    private void prune(String written, int keep) {
        String pointed = pointer().map(CheckpointPointer::prefix).orElse(written);
        TreeMap<String, List<String>> folders = checkpointFolders();
        List<String> names = new ArrayList<>(folders.keySet());
        for (String folder : names.subList(0, Math.max(0, names.size() - Math.max(1, keep)))) {
            if (folder.compareTo(written) < 0 && !folder.equals(pointed)) {
                store.remove(Buckets.CHECKPOINTS, folder + MANIFEST);
                folders.get(folder).stream().filter(key -> !key.endsWith("/" + MANIFEST))
                        .forEach(key -> store.remove(Buckets.CHECKPOINTS, key));
            }
        }
    }

    /** The keys of each stored checkpoint folder, by folder prefix, oldest first. */
    private TreeMap<String, List<String>> checkpointFolders() {
        TreeMap<String, List<String>> folders = new TreeMap<>();
        for (String key : store.list(Buckets.CHECKPOINTS, prefix + "checkpoint-")) {
            String folder = key.substring(0, key.indexOf('/', prefix.length()) + 1);
            folders.computeIfAbsent(folder, f -> new ArrayList<>()).add(key);
        }
        return folders;
    }

    private Optional<CheckpointPointer> pointer() {
        return store.exists(Buckets.CHECKPOINTS, prefix + POINTER)
                ? Optional.of(read(Buckets.CHECKPOINTS, prefix + POINTER, CheckpointPointer.class)) : Optional.empty();
    }

    /** Whether the job stored a complete checkpoint: it was interrupted and resumes from it. */
    boolean hasCheckpoint() {
        return store.exists(Buckets.CHECKPOINTS, prefix + POINTER);
    }

    /**
     * Downloads the pointer's checkpoint into {@code target} when all its files are stored, else (another worker of
     * the same job deleted them) the newest checkpoint whose manifest and files are all stored; empty when none is.
     */
    Optional<CheckpointPointer> downloadLatestCheckpoint(Path target) {
        TreeMap<String, List<String>> folders = checkpointFolders();
        Optional<CheckpointPointer> pointed = pointer();
        Optional<CheckpointPointer> complete = pointed.filter(p -> complete(p, folders)).or(() ->
                folders.descendingKeySet().stream().filter(folder -> folders.get(folder).contains(folder + MANIFEST))
                        .map(folder -> read(Buckets.CHECKPOINTS, folder + MANIFEST, CheckpointPointer.class))
                        .filter(manifest -> complete(manifest, folders)).findFirst());
        if (pointed.isPresent() && !pointed.equals(complete)) {
            LOG.warnf("checkpoint %s is incomplete (another worker ran the job); resuming from %s",
                    pointed.get().prefix(), complete.map(CheckpointPointer::prefix).orElse("nothing"));
        }
        if (complete.isEmpty()) {
            return Optional.empty();
        }
        CheckpointPointer pointer = complete.get();
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

    private static boolean complete(CheckpointPointer checkpoint, Map<String, List<String>> folders) {
        List<String> stored = folders.getOrDefault(checkpoint.prefix(), List.of());
        return checkpoint.files().stream().allMatch(file -> stored.contains(checkpoint.prefix() + file));
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

    /** Stores the scores of one validation step. */
    void writeScores(EvalScores scores) {
        write(Buckets.CHECKPOINTS, prefix + String.format("scores/step-%06d.json", scores.step()), scores);
    }

    /** Every stored step's scores, oldest step first. */
    List<EvalScores> scores() {
        return store.list(Buckets.CHECKPOINTS, prefix + "scores/").stream()
                .map(key -> read(Buckets.CHECKPOINTS, key, EvalScores.class)).toList();
    }

    /** Stores what a step trained (a training that keeps its best-scored step): its adapter and metadata files. */
    void uploadSnapshot(int step, TrainingResult files) {
        List<Path> all = new ArrayList<>(files.embeddingFiles());
        if (files.peftFile() != null) {
            all.addAll(List.of(files.peftFile(), files.kohyaFile()));
        }
        all.add(files.metadataFile());
        for (Path file : all) {
            String name = file.getFileName().toString();
            store.put(Buckets.CHECKPOINTS, snapshotPrefix(step) + name, file, contentType(name));
        }
    }

    /** Downloads the snapshot of {@code step} into {@code dir}; its files as the engine wrote them. */
    TrainingResult downloadSnapshot(int step, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        for (String key : store.list(Buckets.CHECKPOINTS, snapshotPrefix(step))) {
            store.download(Buckets.CHECKPOINTS, key, dir.resolve(key.substring(key.lastIndexOf('/') + 1)),
                    Long.MAX_VALUE);
        }
        return TrainingOutput.read(dir);
    }

    private String snapshotPrefix(int step) {
        return prefix + String.format("snapshots/step-%06d/", step);
    }

    /** Writes the scorecard beside the adapter. */
    void uploadScorecard(List<EvalScores> scores) {
        write(Buckets.ADAPTERS, adapterPrefix + SCORECARD, scores);
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
