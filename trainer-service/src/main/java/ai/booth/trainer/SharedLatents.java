package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.service.ObjectStore;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Latent caches shared by an owner's trainings on the same images through S3 ({@link Buckets#latentCacheKey}): an
 * experiment's variants (and any training again on the same photos and class images) encode them with the VAE once.
 * The engine names a cache by all it is made from ({@code DreamBoothJob.latentsKey}), so one that exists is the one
 * this training would encode.
 */
final class SharedLatents {

    private static final Logger LOG = Logger.getLogger(SharedLatents.class);

    private final ObjectStore store;
    private final String key;
    private final Path local;

    /**
     * The owner's cache kept at {@code local} while the training runs: the file the engine names
     * ({@code DreamBoothJob.latentsFile}), stored under the same name (the images are hashed once for both).
     */
    SharedLatents(ObjectStore store, String ownerId, Path local) {
        this.store = store;
        this.key = Buckets.latentCacheKey(ownerId, local.getFileName().toString().replace(".safetensors", ""));
        this.local = local;
    }

    /** Fetches the cache when another training made it; whether it did. */
    boolean fetch() {
        if (store.stat(Buckets.CHECKPOINTS, key).isEmpty()) {
            return false;
        }
        try {
            Files.createDirectories(local.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.download(Buckets.CHECKPOINTS, key, local, Long.MAX_VALUE);
        LOG.infof("latent cache %s shared: the images are not encoded again", key);
        return true;
    }

    /** Shares the cache this training encoded; a cache is only a saving, so a failure to store it fails nothing. */
    void share() {
        try {
            if (Files.isRegularFile(local) && store.stat(Buckets.CHECKPOINTS, key).isEmpty()) {
                store.put(Buckets.CHECKPOINTS, key, local, "application/octet-stream");
            }
        } catch (RuntimeException e) {
            LOG.warnf("latent cache %s not shared: %s", key, e.getMessage());
        }
    }
}
