package ai.booth.gateway.job;

import ai.booth.service.KafkaAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Ready once the views have replayed their topics up to where the topics ended when this gateway started
 * ({@link ViewHistory}): a restarted replica joins the load balancer only when it shows every job as the others do.
 * The answer names how many records are still to read, never addresses.
 */
@Readiness
@ApplicationScoped
public class ViewsReadinessCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ViewsReadinessCheck.class);

    private final ViewHistory history;
    private final KafkaAdmin admin;

    public ViewsReadinessCheck(ViewHistory history, KafkaAdmin admin) {
        this.history = history;
        this.admin = admin;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("views");
        Map<TopicPartition, Long> behind;
        try {
            behind = history.behind();
        } catch (Exception e) {
            LOG.warnf("views readiness: cannot read the topics' offsets from %s: %s", admin.bootstrapServers(), e);
            return response.down().withData("error", "topic offsets unknown (see the service log)").build();
        }
        long records = behind.values().stream().mapToLong(Long::longValue).sum();
        return response.status(behind.isEmpty()).withData("recordsToReplay", records).build();
    }
}
