package ai.booth.service.models;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Installs the demo model {@value ModelRegistry#DEMO_MODEL_ID} at start when {@link ModelsConfig#demoDir()} names the
 * fixture model folder (the local launcher sets it for the sampler and trainer). Runs before the service reports
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
    }
}
