package ai.booth.service;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Stops the service when the process that launched it dies ({@code booth.parent-pid}, set by the local launcher and
 * the end-to-end test), so a killed launcher leaves no orphaned services behind. A lone property, not a group: a
 * {@code @ConfigMapping} on the prefix {@code booth} would claim every {@code booth.*} name and refuse the ones no
 * mapping knows (such as the gateway's {@code booth.view-group}).
 */
@ApplicationScoped
public class ParentProcessWatch {

    private static final Logger LOG = Logger.getLogger(ParentProcessWatch.class);

    void onStart(@Observes StartupEvent event, @ConfigProperty(name = "booth.parent-pid") Optional<Long> parentPid) {
        parentPid.ifPresent(pid -> ProcessHandle.of(pid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> exit(pid)),
                () -> exit(pid)));
    }

    private static void exit(long pid) {
        LOG.infof("launching process %d is gone; shutting down", pid);
        Quarkus.asyncExit();
    }
}
