package ai.booth.service.models;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Installs the demo model {@value ModelRegistry#DEMO_MODEL_ID} at start when {@code booth.models.demo-dir} names the
 * fixture model folder (the local launcher sets it for the sampler and trainer). Runs before the service reports
 * ready, so a fresh {@code ./booth up} ends with the model listed; idempotent, and safe when services race.
 */
@ApplicationScoped
public class DemoModelInstaller {

    private static final Logger LOG = Logger.getLogger(DemoModelInstaller.class);

    void onStart(@Observes StartupEvent event, ModelRegistry registry,
                 @ConfigProperty(name = "booth.models.demo-dir") Optional<Path> demoDir) {
        demoDir.ifPresent(dir -> {
            ModelManifest demo = registry.ensureDemoModel(dir);
            LOG.infof("demo model %s installed (content hash %s)", demo.id(), demo.contentHash());
        });
    }
}
