package ai.booth.testing;

import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * What every Booth service promises operations: readiness that reaches Kafka and S3, liveness, Prometheus metrics.
 * A service's test extends it under {@code @QuarkusTest @WithTestResource(BoothInfraResource.class)}.
 */
public abstract class ServiceHealthContract {

    /** Where health and metrics are served: the HTTP port, unless the service has a management interface. */
    protected RequestSpecification operations() {
        return given();
    }

    @Test
    void readinessReportsKafkaAndS3Up() {
        operations().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.find { it.name == 'kafka' }.status", is("UP"))
                .body("checks.find { it.name == 'kafka' }.data.nodes", is(1))
                .body("checks.find { it.name == 's3' }.status", is("UP"));
    }

    @Test
    void livenessIsUp() {
        operations().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void exposesPrometheusMetrics() {
        operations().when().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
    }
}
