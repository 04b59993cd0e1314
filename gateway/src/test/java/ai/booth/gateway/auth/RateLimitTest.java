package ai.booth.gateway.auth;

import ai.booth.gateway.Api;
import ai.booth.gateway.http.Problem;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tier "tiny" (test profile): a burst of 2 calls that start work, then one every 2 minutes. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RateLimitTest {

    @Inject
    ObjectStore store;

    @Test
    void callsThatStartWorkAreLimitedPerKey() {
        Api.installModel(store);
        String key = Api.created("quinn", "tiny").keyText();
        String body = "{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of a dog\"}";
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/generations").then().statusCode(202);
        }
        String retryAfter = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/generations").then().statusCode(429)
                .contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("tier tiny"))
                .extract().header("Retry-After");
        long seconds = Long.parseLong(retryAfter);
        assertTrue(seconds >= 60 && seconds <= 120, "one token per 2 minutes, partly refilled: " + seconds);
        given().header("Authorization", "Bearer " + key).get("/api/v1/generations").then().statusCode(200)
                .body("total", is(2));
        given().header("Authorization", "Bearer " + key).multiPart("images", "a.png", new byte[]{1}, "image/png")
                .post("/api/v1/datasets").then().statusCode(429);
        Api.as("quinn").contentType(ContentType.JSON).body(body).post("/api/v1/generations").then().statusCode(202);
    }

    @Test
    void requestsThatFailValidationSpendATokenToo() {
        Api.installModel(store);
        String key = Api.created("quentin", "tiny").keyText();
        String bad = "{\"baseModel\":\"" + "m".repeat(100_000) + "\",\"prompt\":\"a photo of a dog\"}";
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(bad)
                    .post("/api/v1/generations").then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                    .body("errors[0].field", is("baseModel"));
        }
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(bad)
                .post("/api/v1/generations").then().statusCode(429).contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("tier tiny"));
    }
}
