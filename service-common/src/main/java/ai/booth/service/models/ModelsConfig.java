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
}
