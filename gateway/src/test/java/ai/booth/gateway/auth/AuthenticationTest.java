package ai.booth.gateway.auth;

import ai.booth.gateway.Api;
import ai.booth.gateway.http.Problem;
import ai.booth.keys.ApiKeyStore;
import ai.booth.testing.BoothInfraResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AuthenticationTest {

    private static final List<String> API = List.of("/api/v1/me", "/api/v1/models", "/api/v1/datasets",
            "/api/v1/trainings", "/api/v1/generations", "/api/v1/adapters", "/api/v1/trainings/x/events",
            "/api/v1/images/generations/a/b.png");

    @Test
    void everyApiCallNeedsAStoredKey() {
        for (String path : API) {
            given().get(path).then().statusCode(401)
                    .contentType(Problem.MEDIA_TYPE)
                    .header("WWW-Authenticate", startsWith("Bearer"))
                    .body("title", is("Unauthorized"))
                    .body("detail", containsString("Authorization: Bearer bk_"));
            given().header("Authorization", "Bearer bk_notAKey").get(path).then().statusCode(401)
                    .body("detail", containsString("not valid"));
        }
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/trainings").then().statusCode(401);
        given().header("X-Booth-Owner", "alice").get("/api/v1/trainings").then().statusCode(401);
    }

    @Test
    void theKeyAloneDecidesTheOwner() {
        ApiKeyStore.Created key = Api.created("olga", "standard");
        given().header(Authentication.API_KEY_HEADER, key.keyText()).header("X-Booth-Owner", "mallory")
                .get("/api/v1/me").then().statusCode(200)
                .body("ownerId", is("olga"))
                .body("keyId", is(key.key().id()))
                .body("tier", is("standard"))
                .body("burst", is(20))
                .body("webhookSecret", is(key.key().webhookSecret()));
    }

    @Test
    void aRevokedKeyIsRefusedAtOnce() {
        ApiKeyStore.Created key = Api.store().create("pete", "temporary", "standard");
        given().header("Authorization", "Bearer " + key.keyText()).get("/api/v1/me").then().statusCode(200);
        Api.store().revoke(key.key().id());
        given().header("Authorization", "Bearer " + key.keyText()).get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void theWebClientAndOperationsEndpointsNeedNoKey() {
        given().get("/").then().statusCode(200).body(containsString("Booth"));
        Api.awaitReady();
        Api.management().get("/q/health/ready").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/trainings/{trainingId}/events"));
    }

    @Test
    void unknownPathsAndMethodsAnswerProblems() {
        Api.as("olga").get("/api/v1/nothing").then().statusCode(404).contentType(Problem.MEDIA_TYPE);
        Api.as("olga").delete("/api/v1/models").then().statusCode(405).contentType(Problem.MEDIA_TYPE);
    }
}
