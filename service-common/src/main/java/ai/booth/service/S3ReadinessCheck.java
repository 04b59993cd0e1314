package ai.booth.service;

import ai.booth.contracts.Buckets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready when the S3 server answers and every Booth bucket exists. The health answer is public (no key on
 * {@code /q/health}), so it names no endpoint and no exception text (which carries addresses): the log has those.
 */
@Readiness
@ApplicationScoped
public class S3ReadinessCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(S3ReadinessCheck.class);

    private final ObjectStore store;
    private final S3Config config;

    public S3ReadinessCheck(ObjectStore store, S3Config config) {
        this.store = store;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("s3");
        try {
            var missing = Buckets.ALL.stream().filter(bucket -> !store.bucketExists(bucket)).toList();
            if (!missing.isEmpty()) {
                return response.down().withData("missingBuckets", String.join(",", missing)).build();
            }
            return response.up().withData("buckets", String.join(",", Buckets.ALL)).build();
        } catch (RuntimeException e) {
            LOG.warnf("S3 readiness: %s at %s: %s", e.getClass().getSimpleName(), config.endpoint(), e.getMessage());
            return response.down().withData("error", e.getClass().getSimpleName() + " (see the service log)").build();
        }
    }
}
