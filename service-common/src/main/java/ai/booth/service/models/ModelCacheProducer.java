package ai.booth.service.models;

import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;

/**
 * The worker's {@link ModelCache} from config: {@code booth.cache.dir}, {@code booth.cache.max-bytes},
 * {@code booth.cache.max-loaded-models}, and {@code booth.engine.device} / {@code booth.engine.dtype} (a GPU node sets
 * {@code BOOTH_ENGINE_DEVICE=gpu} and {@code BOOTH_ENGINE_DTYPE=float16}). Only services that render inject it; they
 * need the PyTorch natives on their class path.
 */
public class ModelCacheProducer {

    @Produces
    @Singleton
    ModelCache modelCache(ModelRegistry registry, ObjectStore store,
                          @ConfigProperty(name = "booth.cache.dir") Path dir,
                          @ConfigProperty(name = "booth.cache.max-bytes") long maxBytes,
                          @ConfigProperty(name = "booth.cache.max-loaded-models") int maxLoaded,
                          @ConfigProperty(name = "booth.engine.device") String device,
                          @ConfigProperty(name = "booth.engine.dtype") String dtype) {
        return new ModelCache(registry, store, dir, maxBytes, maxLoaded, EngineOptions.parse(device, dtype));
    }

    void close(@Disposes ModelCache cache) {
        cache.close();
    }
}
