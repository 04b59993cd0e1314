package ai.booth.gateway;

import ai.booth.gateway.dataset.DatasetUpload;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.ServiceHealthContract;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GatewayHealthTest extends ServiceHealthContract {

    @BeforeEach
    void viewsReplayed() {
        Api.awaitReady();
    }

    @Test
    void readinessSaysTheViewsHaveReplayedTheirTopics() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'views' }.status", is("UP"))
                .body("checks.find { it.name == 'views' }.data.recordsToReplay", is(0));
    }

    @Test
    void publishesOpenApiAndSwaggerUi() {
        given().when().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/datasets"))
                .body(containsString("/api/v1/trainings/{trainingId}/cancel"))
                .body(containsString("scheme: bearer"))
                .body(containsString("DatasetUpload"))
                // the shared job endpoints' texts and path parameters per kind (JobOpenApi)
                .body(containsString("/api/v1/generations/{generationId}"))
                .body(containsString("no such generation of yours"))
                .body(containsString("the training this Idempotency-Key created before"))
                .body(not(containsString("{id}")));
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
