package ai.booth.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Ready when the Kafka cluster answers a describeCluster within a few seconds. The health answer is public, so it
 * names no broker address and no exception text (which carries addresses): the log has those.
 */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(KafkaReadinessCheck.class);
    private static final int TIMEOUT_MS = 3000;

    private final KafkaAdmin admin;

    public KafkaReadinessCheck(KafkaAdmin admin) {
        this.admin = admin;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kafka");
        try {
            var cluster = admin.get().describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS));
            int nodes = cluster.nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
            String clusterId = cluster.clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return response.status(nodes > 0).withData("clusterId", clusterId).withData("nodes", nodes).build();
        } catch (Exception e) {
            LOG.warnf("Kafka readiness: %s at %s: %s", e.getClass().getSimpleName(), admin.bootstrapServers(),
                    e.getMessage());
            return response.down().withData("error", e.getClass().getSimpleName() + " (see the service log)").build();
        }
    }
}
