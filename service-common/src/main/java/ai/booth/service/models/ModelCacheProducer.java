package ai.booth.service.models;

import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The worker's {@link ModelCache} from {@link CacheConfig} and {@link EngineConfig}. Only services that render inject
 * it; they need the PyTorch natives on their class path.
 */
public class ModelCacheProducer {

    @Produces
    @Singleton
    ModelCache modelCache(ModelRegistry registry, ObjectStore store, CacheConfig cache, EngineConfig engine) {
        return new ModelCache(registry, store, cache.dir(), cache.maxBytes(), cache.maxLoadedModels(),
                EngineOptions.parse(engine.device(), engine.dtype()));
    }

    void close(@Disposes ModelCache cache) {
        cache.close();
    }
}
