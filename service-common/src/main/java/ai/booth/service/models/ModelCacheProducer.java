package ai.booth.service.models;

import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The worker's {@link ModelCache} from {@link CacheConfig} and {@link EngineConfig}. Only services that render inject
 * it; they need the PyTorch natives on their class path, and create it at start (their {@code @Startup} bean), so a
 * device the node lacks (a GPU request on a CPU-only node or image) stops the worker at once with the reason, not at
 * its first job.
 */
public class ModelCacheProducer {

    @Produces
    @Singleton
    ModelCache modelCache(ModelRegistry registry, ObjectStore store, CacheConfig cache, EngineConfig engine) {
        EngineOptions options;
        try {
            options = EngineOptions.parse(engine.device(), engine.dtype());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("booth.engine.device=" + engine.device() + ", booth.engine.dtype="
                    + engine.dtype() + " (BOOTH_ENGINE_DEVICE / BOOTH_ENGINE_DTYPE) cannot run here: "
                    + e.getMessage(), e);
        }
        return new ModelCache(registry, store, cache.dir(), cache.maxBytes(), cache.maxLoadedModels(), options);
    }

    void close(@Disposes ModelCache cache) {
        cache.close();
    }
}
