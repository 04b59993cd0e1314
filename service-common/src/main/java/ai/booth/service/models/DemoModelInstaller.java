package ai.booth.service.models;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Installs the demo models at start: {@value ModelRegistry#DEMO_MODEL_ID} when {@link ModelsConfig#demoDir()} names
 * the fixture model folder, {@value ModelRegistry#WORLD_MODEL_ID} when {@link ModelsConfig#worldDir()} names Booth
 * world's (the local launcher sets them for the sampler and trainer). Runs before the service reports
 * ready, so a fresh {@code ./booth up} ends with the model listed; idempotent, and safe when services race.
 */
@ApplicationScoped
public class DemoModelInstaller {

    private static final Logger LOG = Logger.getLogger(DemoModelInstaller.class);

    void onStart(@Observes StartupEvent event, ModelRegistry registry, ModelsConfig config) {
        config.demoDir().ifPresent(dir -> {
            ModelManifest demo = registry.ensureDemoModel(dir);
            LOG.infof("demo model %s installed (content hash %s)", demo.id(), demo.contentHash());
        });
        config.worldDir().ifPresent(dir -> {
            ModelManifest world = registry.ensureWorldModel(dir);
            LOG.infof("demo model %s installed (content hash %s)", world.id(), world.contentHash());
        });
    }
}
