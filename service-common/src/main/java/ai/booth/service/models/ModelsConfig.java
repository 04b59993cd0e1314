package ai.booth.service.models;

import io.smallrye.config.ConfigMapping;

import java.nio.file.Path;
import java.util.Optional;

/** The base-model registry's settings: {@code booth.models.*}, env {@code BOOTH_MODELS_*}. */
@ConfigMapping(prefix = "booth.models")
public interface ModelsConfig {

    /**
     * A fixture model folder installed as the demo model at start ({@link DemoModelInstaller}); the launcher sets it
     * for the sampler and the trainer, a deployment leaves it unset.
     */
    Optional<Path> demoDir();

    /**
     * Booth world's model folder ({@code models/booth-world}), installed as {@value ModelRegistry#WORLD_MODEL_ID} at
     * start beside the demo model; the launcher sets it when the folder is there.
     */
    Optional<Path> worldDir();
}
