package ai.booth.service.models;

import ai.booth.contracts.Buckets;
import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.ControlNetCheck;
import ai.booth.diffusion.loader.EncoderCheck;
import ai.booth.diffusion.loader.ModelCheck;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A worker's models and adapters. Files come from S3 into a local folder ({@code booth.cache.dir}) that is evicted
 * least recently used first by total bytes ({@code booth.cache.max-bytes}); loaded models stay in memory, least
 * recently used closed first beyond {@code booth.cache.max-loaded-models} (SD-1.5 takes 2–4 GB). A model is
 * handed out as a lease: neither it nor its files are evicted while a lease is open, and eviction closes it only
 * when the last lease is closed. A loaded model's content hash must equal its manifest's (else MODEL_CORRUPT and its
 * files are dropped, so the next attempt downloads afresh). Adapters are cached by key and ETag: replacing the
 * object in S3 is noticed (an embedding file fetched beside a LoRA is cached with it, by the LoRA's ETag: a training
 * writes both once, under its own prefix). Thread-safe; loads and downloads are serialised (workers run one job at a
 * time).
 */
public class ModelCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    private final ModelRegistry registry;
    private final ObjectStore store;
    private final DiskCache disk;
    private final int maxLoaded;
    private final EngineOptions options;
    private final LinkedHashMap<String, Loaded> loaded = new LinkedHashMap<>(4, 0.75f, true);

    /** One loaded model and how many leases hold it. */
    private static final class Loaded {
        final ModelManifest manifest;
        final StableDiffusionModel model;
        final String entry;
        int leases;
        /** Taken over by one lease ({@link ModelLease#takeOver}): out of the cache, closed by that lease. */
        boolean owned;

        Loaded(ModelManifest manifest, StableDiffusionModel model, String entry) {
            this.manifest = manifest;
            this.model = model;
            this.entry = entry;
        }
    }

    /** A model in use; close it when done (the model itself is closed by the cache, never by the holder). */
    public final class ModelLease implements AutoCloseable {
        private final Loaded held;
        private boolean closed;

        private ModelLease(Loaded held) {
            this.held = held;
        }

        public StableDiffusionModel model() {
            return held.model;
        }

        public ModelManifest manifest() {
            return held.manifest;
        }

        /**
         * The tokenizer and scheduler config to sample and train with: the model's own, or a single file's preset's
         * scheduler when it was installed with one. Throws IllegalArgumentException when the model has no tokenizer.
         */
        public PipelineAssets assets() {
            String source = held.manifest.configSource();
            String preset = source != null && source.startsWith(ModelCheck.PRESET_PREFIX)
                    ? source.substring(ModelCheck.PRESET_PREFIX.length()) : null;
            return PipelineAssets.resolve(held.model, null, preset);
        }

        /**
         * Makes this lease the model's only holder, for a job that frees parts of it (a full fine-tune's base UNet,
         * see {@code DreamBoothTrainer.releaseBase}): the cache forgets the model — the next lease loads it again —
         * and this lease closes it. Answers false and changes nothing while another lease holds it.
         */
        public boolean takeOver() {
            synchronized (ModelCache.this) {
                if (held.owned) {
                    return !closed;
                }
                if (closed || held.leases != 1) {
                    return false;
                }
                loaded.values().remove(held);
                held.owned = true;
                return true;
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(held);
            }
        }
    }

    /**
     * Local files in use, an adapter's, a ControlNet's or an encoder's: not evicted until closed. The engine loads them per
     * pipeline, so only the files are cached.
     */
    public final class FileLease implements AutoCloseable {
        private final String entry;
        private final Path path;
        private boolean closed;

        private FileLease(String entry, Path path) {
            this.entry = entry;
            this.path = path;
        }

        /**
         * The local file (an adapter, named like its object) or a ControlNet's file or folder (named by its id):
         * the name the infotexts show; an encoder's folder.
         */
        public Path path() {
            return path;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                disk.unpin(entry);
            }
        }
    }

    /**
     * @param dir        local cache folder (created when missing; entries left by an earlier run are reused)
     * @param maxBytes   disk budget for model and adapter files
     * @param maxLoaded  models kept loaded in memory (at least 1)
     */
    public ModelCache(ModelRegistry registry, ObjectStore store, Path dir, long maxBytes, int maxLoaded,
                      EngineOptions options) {
        if (maxLoaded < 1) {
            throw new IllegalArgumentException("booth.cache.max-loaded-models must be >= 1, got " + maxLoaded);
        }
        this.registry = registry;
        this.store = store;
        this.disk = new DiskCache(dir, maxBytes);
        this.maxLoaded = maxLoaded;
        this.options = options;
    }

    /** Leases base model {@code id}: downloaded and loaded on first use. */
    public synchronized ModelLease model(String id) {
        Loaded held = loaded.get(id);
        if (held == null) {
            ModelManifest manifest = installed(id, ModelManifest.BASE, "base model");
            held = load(manifest);
            loaded.put(id, held);
        }
        held.leases++;
        evictLoaded();
        return new ModelLease(held);
    }

    /**
     * Leases ControlNet {@code id}: its files, downloaded on first use and checked against the manifest's content
     * hash. The file or folder is named by the id, which is the ControlNet's name in infotexts. The engine loads it
     * per pipeline, as LoRA files.
     */
    public FileLease controlNet(String id) {
        ModelManifest manifest = installed(id, ModelManifest.CONTROLNET, "ControlNet");
        // a folder is stored as <id>/ so that its name, like a single file's, is the id
        Path root = Path.of(manifest.singleFile() ? "" : id);
        return pinFiles("controlnet", manifest,
                (target, file) -> target.resolve(root).resolve(manifest.singleFile() ? id + ".safetensors"
                        : file.path()),
                target -> controlNetPath(target, manifest, id), path -> ControlNetCheck.of(path).contentHash());
    }

    /**
     * Leases evaluation encoder {@code id}: its transformers folder, downloaded on first use and checked against the
     * manifest's content hash. The caller loads it (encoders are loaded for a job, not kept).
     */
    public FileLease encoder(String id) {
        ModelManifest manifest = installed(id, ModelManifest.ENCODER, "encoder");
        return pinFiles("encoder", manifest, (target, file) -> target.resolve(file.path()), target -> target,
                path -> EncoderCheck.of(path).contentHash());
    }

    /**
     * Downloads a model's files into a pinned cache entry on first use ({@code local}: where each goes in the entry)
     * and checks that the path the lease hands out ({@code leased}) hashes to the manifest's content hash.
     */
    private FileLease pinFiles(String prefix, ModelManifest manifest,
                               BiFunction<Path, ModelManifest.ModelFile, Path> local, UnaryOperator<Path> leased,
                               Function<Path, String> contentHash) {
        String entry = prefix + "-" + manifest.id() + "-" + manifest.contentHash().substring(0, 16);
        Path folder = disk.pin(entry, manifest.sizeBytes(), target -> {
            for (ModelManifest.ModelFile file : manifest.files()) {
                fetch(manifest, file, local.apply(target, file));
            }
            String hash = contentHash.apply(leased.apply(target));
            if (!hash.equals(manifest.contentHash())) {
                throw new ModelCacheException(ModelCacheException.MODEL_CORRUPT, manifest.type() + " '"
                        + manifest.id() + "': its weights hash to " + hash + " but the manifest says "
                        + manifest.contentHash());
            }
        });
        return new FileLease(entry, leased.apply(folder));
    }

    private static Path controlNetPath(Path folder, ModelManifest manifest, String id) {
        return manifest.singleFile() ? folder.resolve(id + ".safetensors") : folder.resolve(id);
    }

    /** The manifest of installed model {@code id} of {@code type}; MODEL_NOT_FOUND when it is none or another. */
    private ModelManifest installed(String id, String type, String what) {
        ModelManifest manifest = registry.manifest(id).orElseThrow(() -> new ModelCacheException(
                ModelCacheException.MODEL_NOT_FOUND, "no " + what + " '" + id + "' is installed in bucket "
                + Buckets.MODELS + " (no " + id + "/" + ModelRegistry.MANIFEST + ")"));
        if (!manifest.type().equals(type)) {
            throw new ModelCacheException(ModelCacheException.MODEL_NOT_FOUND, "model '" + id + "' is of type "
                    + manifest.type() + ", not " + type);
        }
        return manifest;
    }

    /**
     * Leases the adapter at {@code key} in {@value Buckets#ADAPTERS}, downloaded when new or changed. A LoRA whose
     * safetensors metadata names an embedding file ({@value TextualInversion#ADAPTER_KEY}, as a pivotal training
     * writes it) comes with that file from the same prefix, stored beside it in the entry, where the engine looks
     * for it; the entry's size counts both. A file without that metadata (a plain LoRA, an embedding file, or one
     * the engine will reject) is downloaded alone. The lease's path is the file at {@code key}.
     *
     * @throws ModelCacheException ADAPTER_NOT_FOUND when the object is missing, or when its metadata names a file
     *                             that is not a plain file name or not in the bucket beside it
     */
    public FileLease adapter(String key) {
        ObjectStore.Stat stat = store.stat(Buckets.ADAPTERS, key).orElseThrow(() -> new ModelCacheException(
                ModelCacheException.ADAPTER_NOT_FOUND, "adapter '" + key + "' is not in bucket " + Buckets.ADAPTERS));
        String prefix = key.substring(0, key.lastIndexOf('/') + 1);
        String fileName = key.substring(prefix.length());
        String entry = "adapter-" + sha256(key).substring(0, 16) + "-" + stat.etag().replaceAll("[^A-Za-z0-9]", "");
        Path folder = disk.pin(entry, stat.size(), target -> {
            Path file = target.resolve(fileName);
            download(Buckets.ADAPTERS, key, file, stat.size());
            String named = embeddingNamedBy(key, file);
            if (named != null && !named.equals(fileName)) {
                String embeddingKey = prefix + named;
                ObjectStore.Stat embedding = store.stat(Buckets.ADAPTERS, embeddingKey).orElseThrow(() ->
                        new ModelCacheException(ModelCacheException.ADAPTER_NOT_FOUND, "adapter '" + key
                                + "' names its embedding file '" + named + "' (metadata "
                                + TextualInversion.ADAPTER_KEY + ") but '" + embeddingKey + "' is not in bucket "
                                + Buckets.ADAPTERS));
                download(Buckets.ADAPTERS, embeddingKey, target.resolve(named), embedding.size());
            }
        });
        return new FileLease(entry, folder.resolve(fileName));
    }

    /**
     * The embedding file a LoRA's metadata names, null when it names none or is no readable safetensors file (the
     * engine reports that when it loads it). The name must be a file beside the LoRA: no folder, no {@code ..}.
     */
    private static String embeddingNamedBy(String key, Path file) {
        Map<String, String> metadata;
        try {
            metadata = SafeTensors.readMetadata(file);
        } catch (RuntimeException e) {
            LOG.debugf("adapter %s: no safetensors metadata (%s); nothing fetched beside it", key, e.getMessage());
            return null;
        }
        String named = metadata.get(TextualInversion.ADAPTER_KEY);
        if (named == null) {
            return null;
        }
        if (named.isBlank() || named.contains("/") || named.contains("\\") || named.equals(".")
                || named.equals("..")) {
            throw new ModelCacheException(ModelCacheException.ADAPTER_NOT_FOUND, "adapter '" + key + "' names '"
                    + named + "' as its embedding file (metadata " + TextualInversion.ADAPTER_KEY + "), which is not"
                    + " a file name beside it");
        }
        return named;
    }

    /** Models currently loaded, least recently used first (for tests and metrics). */
    public synchronized List<String> loadedModels() {
        return List.copyOf(loaded.keySet());
    }

    /** Bytes of model and adapter files on disk. */
    public long diskBytes() {
        return disk.usedBytes();
    }

    private Loaded load(ModelManifest manifest) {
        String entry = "model-" + manifest.id() + "-" + manifest.contentHash().substring(0, 16);
        Path folder = disk.pin(entry, manifest.sizeBytes(), target -> {
            for (ModelManifest.ModelFile file : manifest.files()) {
                fetch(manifest, file, target.resolve(file.path()));
            }
        });
        StableDiffusionModel model = null;
        try {
            long start = System.nanoTime();
            model = check(manifest, folder).load(options);
            if (!model.contentHash().equals(manifest.contentHash())) {
                throw new ModelCacheException(ModelCacheException.MODEL_CORRUPT, "base model '" + manifest.id()
                        + "': its weights hash to " + model.contentHash() + " but the manifest says "
                        + manifest.contentHash());
            }
            LOG.infof("loaded base model %s (%s, %d bytes) on %s in %d ms", manifest.id(), manifest.kind(),
                    manifest.sizeBytes(), options, (System.nanoTime() - start) / 1_000_000);
            return new Loaded(manifest, model, entry);
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            disk.discard(entry);
            throw e;
        }
    }

    /** The engine's view of a cached model folder, laid out as in the bucket. */
    private static ModelCheck check(ModelManifest manifest, Path folder) {
        if (!manifest.singleFile()) {
            return ModelCheck.of(folder, null);
        }
        String source = manifest.configSource();
        String config = source.equals(ModelCheck.COMPANION)
                ? folder.resolve(ModelRegistry.COMPANION_PREFIX).toString()
                : source.startsWith(ModelCheck.PRESET_PREFIX) ? source.substring(ModelCheck.PRESET_PREFIX.length())
                : null;
        return ModelCheck.of(folder.resolve(manifest.weights()), config);
    }

    /** One stored object of an installed model, to {@code local}. */
    private void fetch(ModelManifest manifest, ModelManifest.ModelFile file, Path local) throws IOException {
        Files.createDirectories(local.getParent());
        download(Buckets.MODELS, ModelRegistry.objectKey(manifest.id(), file.path()), local, file.sizeBytes());
    }

    private void download(String bucket, String key, Path target, long expectedBytes) {
        OptionalLong size = store.download(bucket, key, target, expectedBytes);
        if (size.isEmpty() || size.getAsLong() != expectedBytes) {
            throw new ModelCacheException(ModelCacheException.MODEL_CORRUPT, "s3://" + bucket + "/" + key + " has "
                    + (size.isEmpty() ? "more than " : "") + size.orElse(expectedBytes) + " bytes, expected "
                    + expectedBytes);
        }
    }

    private synchronized void release(Loaded held) {
        held.leases--;
        if (held.owned) {
            close(held);
        }
        evictLoaded();
    }

    /** Closes least recently used models beyond the budget; one still leased is closed by its last release. */
    private void evictLoaded() {
        Iterator<Loaded> eldestFirst = loaded.values().iterator();
        int excess = loaded.size() - maxLoaded;
        while (excess > 0 && eldestFirst.hasNext()) {
            Loaded held = eldestFirst.next();
            if (held.leases == 0) {
                eldestFirst.remove();
                close(held);
                excess--;
            }
        }
    }

    private void close(Loaded held) {
        held.model.close();
        disk.unpin(held.entry);
        LOG.infof("unloaded base model %s", held.manifest.id());
    }

    @Override
    public synchronized void close() {
        for (Loaded held : loaded.values()) {
            close(held);
        }
        loaded.clear();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
