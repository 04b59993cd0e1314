package ai.booth.gateway;

import ai.booth.gateway.dataset.DatasetUpload;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.ServiceHealthContract;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GatewayHealthTest extends ServiceHealthContract {

    @Override
    protected RequestSpecification operations() {
        return Api.management();
    }

    @Test
    void healthAndMetricsAreNotServedOnTheApiPort() {
        given().get("/q/metrics").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(404);
    }

    @Test
    void readinessSaysTheViewsHaveReplayedTheirTopics() {
        Api.management().when().get("/q/health/ready").then().statusCode(200)
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
        // the 429s say which limit: the rate (cost in tokens), the quota of unfinished jobs, open streams (JSON: YAML folds)
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body(containsString("already has the tier's number of unfinished generations"))
                .body(containsString("the tier's number of datasets ingesting"))
                .body(containsString("problem type too-many-streams"));
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
