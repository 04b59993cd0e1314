package ai.booth.contracts;

import java.util.List;

/** Every S3 bucket Booth uses, and the object key layout inside them (keys in events follow it). */
public final class Buckets {

    /** The owner of what Booth makes for itself: class-image sets for prior preservation (ids {@code class-<key>}). */
    public static final String SYSTEM_OWNER = "booth-system";

    /**
     * Datasets, under {@code <owner>/<datasetId>/}: {@code staging/<file>} as uploaded until checked, {@code raw/<file>}
     * the accepted originals, {@code processed/v<n>/<nn>.png} + {@code .txt} the training images and captions of
     * version n, {@code report.json} the quality report of the current version, or {@code rejected.json} the
     * {@link DatasetRejected} an upload ended with.
     */
    public static final String DATASETS = "datasets";
    /** Base model weights (safetensors), shared by all owners. */
    public static final String MODELS = "models";
    /** Trained LoRA adapters: {@code <owner>/<trainingId>/...}. */
    public static final String ADAPTERS = "adapters";
    /**
     * Generated images: {@code <owner>/<generationId>/<n>.png} ({@code grid.png} for a grid) and {@code result.json}
     * last. Class images for prior preservation live under owner {@code booth-system}, id {@code class-<key>}.
     */
    public static final String GENERATIONS = "generations";
    /** Intermediate training checkpoints and validation images: {@code <owner>/<trainingId>/...}. */
    public static final String CHECKPOINTS = "checkpoints";

    public static final List<String> ALL = List.of(DATASETS, MODELS, ADAPTERS, GENERATIONS, CHECKPOINTS);

    /** Key of an uploaded, not yet checked dataset file. */
    public static String datasetStagingKey(String ownerId, String datasetId, String fileName) {
        return datasetPrefix(ownerId, datasetId) + "staging/" + fileName;
    }

    /** Key of a checked dataset image. */
    public static String datasetRawKey(String ownerId, String datasetId, String fileName) {
        return datasetRawPrefix(ownerId, datasetId) + fileName;
    }

    /** Prefix of all checked images of a dataset: a dataset is ready for training when it holds objects. */
    public static String datasetRawPrefix(String ownerId, String datasetId) {
        return datasetPrefix(ownerId, datasetId) + "raw/";
    }

    /** Key of a processed training image (or its caption) of a dataset version. */
    public static String datasetProcessedKey(String ownerId, String datasetId, int version, String fileName) {
        return datasetProcessedPrefix(ownerId, datasetId, version) + fileName;
    }

    /** Prefix of the training images of one dataset version. */
    public static String datasetProcessedPrefix(String ownerId, String datasetId, int version) {
        if (version < 1) {
            throw new IllegalArgumentException("dataset version must be >= 1, got " + version);
        }
        return datasetPrefix(ownerId, datasetId) + "processed/v" + version + "/";
    }

    /** Key of the quality report of a dataset's current version: written last, so its presence means complete. */
    public static String datasetReportKey(String ownerId, String datasetId) {
        return datasetPrefix(ownerId, datasetId) + "report.json";
    }

    /**
     * Key of the {@link DatasetRejected} an upload ended with (JSON): the only object a rejected upload leaves, so a
     * redelivered upload is answered the same once its staged files are gone.
     */
    public static String datasetRejectionKey(String ownerId, String datasetId) {
        return datasetPrefix(ownerId, datasetId) + "rejected.json";
    }

    /** Prefix of every object of a dataset. */
    public static String datasetPrefix(String ownerId, String datasetId) {
        return segment("ownerId", ownerId) + "/" + segment("datasetId", datasetId) + "/";
    }

    /** Prefix of every object of a generation request: its PNGs, the grid and result.json. */
    public static String generationPrefix(String ownerId, String generationId) {
        return segment("ownerId", ownerId) + "/" + segment("generationId", generationId) + "/";
    }

    /** Key of image {@code index} of a generation (cells of a grid row-major). */
    public static String generationImageKey(String ownerId, String generationId, int index) {
        return generationPrefix(ownerId, generationId) + index + ".png";
    }

    /** Key of a grid request's contact sheet. */
    public static String generationGridKey(String ownerId, String generationId) {
        return generationPrefix(ownerId, generationId) + "grid.png";
    }

    /**
     * Key of the control image given for ControlNet unit {@code index} of a generation, as uploaded (a map or a
     * photo; {@code extension} png or jpg).
     */
    public static String generationControlImageKey(String ownerId, String generationId, int index,
                                                   String extension) {
        return generationPrefix(ownerId, generationId) + "control" + index + "-input." + extension;
    }

    /** Key of the map ControlNet unit {@code index} was fed (after its preprocessor), beside the images. */
    public static String generationControlMapKey(String ownerId, String generationId, int index) {
        return generationPrefix(ownerId, generationId) + "control" + index + ".png";
    }

    /**
     * Key of a generation's result: the GenerationCompleted payload as JSON, written after every image, so its
     * presence means the generation is complete (and a duplicate request is answered from it).
     */
    public static String generationResultKey(String ownerId, String generationId) {
        return generationPrefix(ownerId, generationId) + "result.json";
    }

    /** Prefix of a base model's files in {@link #MODELS}. */
    public static String modelPrefix(String modelId) {
        return segment("baseModel", modelId) + "/";
    }

    /** Prefix of a training's adapter files in {@link #ADAPTERS} (PEFT file, kohya file, metadata.json). */
    public static String adapterPrefix(String ownerId, String trainingId) {
        return segment("ownerId", ownerId) + "/" + segment("trainingId", trainingId) + "/";
    }

    /** Prefix of a training's job state in {@link #CHECKPOINTS}: checkpoints, validation images, outcome. */
    public static String checkpointPrefix(String ownerId, String trainingId) {
        return segment("ownerId", ownerId) + "/" + segment("trainingId", trainingId) + "/";
    }

    /**
     * Key of a latent cache in {@link #CHECKPOINTS} shared by an owner's trainings on the same images (an experiment's
     * variants), named by the SHA-256 of what it was made from.
     */
    public static String latentCacheKey(String ownerId, String name) {
        return segment("ownerId", ownerId) + "/latent-caches/" + segment("name", name) + ".safetensors";
    }

    /**
     * Whether an object key named by an event (adapter, embedding, control image, image to score) lies under the
     * owner's prefix, without {@code ..}, {@code .} or empty segments that could leave it: a worker never trusts an
     * event's keys.
     */
    public static boolean ownedBy(String key, String ownerId) {
        if (key == null || ownerId == null || ownerId.isEmpty() || !key.startsWith(ownerId + "/")) {
            return false;
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                return false;
            }
        }
        return true;
    }

    /** One path segment: refuses names that would escape their prefix or make ambiguous keys. */
    static String segment(String what, String value) {
        if (value == null || value.isEmpty() || value.contains("/") || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + " must be a non-empty name without '/', got '" + value + "'");
        }
        return value;
    }

    private Buckets() {
    }
}
