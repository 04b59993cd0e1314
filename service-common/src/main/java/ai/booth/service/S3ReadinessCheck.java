package ai.booth.service;

import ai.booth.contracts.Buckets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the S3 server answers and every Booth bucket exists. */
@Readiness
@ApplicationScoped
public class S3ReadinessCheck implements HealthCheck {

    private final ObjectStore store;
    private final S3Config config;

    public S3ReadinessCheck(ObjectStore store, S3Config config) {
        this.store = store;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("s3").withData("endpoint", config.endpoint());
        try {
            var missing = Buckets.ALL.stream().filter(bucket -> !store.bucketExists(bucket)).toList();
            if (!missing.isEmpty()) {
                return response.down().withData("missingBuckets", String.join(",", missing)).build();
            }
            return response.up().withData("buckets", String.join(",", Buckets.ALL)).build();
        } catch (RuntimeException e) {
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
