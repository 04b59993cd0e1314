package ai.booth.service.models;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where the workers run the engine: {@code booth.engine.*}, env {@code BOOTH_ENGINE_*}; a GPU node sets
 * {@code BOOTH_ENGINE_DEVICE=gpu} and {@code BOOTH_ENGINE_DTYPE=float16}. Parsed by
 * {@link ai.booth.diffusion.runtime.EngineOptions#parse}, which names the accepted spellings when it refuses one.
 */
@ConfigMapping(prefix = "booth.engine")
public interface EngineConfig {

    /** {@code cpu}, or {@code gpu} / {@code gpu:N} (CUDA). */
    @WithDefault("cpu")
    String device();

    /** Precision of the weights: {@code float32}, or {@code float16} on a GPU (training then runs mixed precision). */
    @WithDefault("float32")
    String dtype();
}
