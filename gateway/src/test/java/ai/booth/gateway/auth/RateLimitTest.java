package ai.booth.gateway.auth;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.gateway.Api;
import ai.booth.gateway.http.Problem;
import ai.booth.gateway.job.JobMeta;
import ai.booth.keys.ApiKeyStore;
import org.apache.kafka.common.header.internals.RecordHeaders;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tier "tiny" (test profile): a burst of 2 calls that start work, then one every 2 minutes. Tier "queue": calls
 * enough, but at most 2 unfinished jobs of a kind per owner.
 */
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
    void requestsAnotherGatewayReplicaAdmittedSpendTheKeysTokensHereToo() throws Exception {
        Api.installModel(store);
        ApiKeyStore.Created tiny = Api.created("quade", "tiny");
        String body = "{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of a dog\"}";
        try (EventProbe probe = EventProbe.forApplication()) {
            String template = Api.as("quade").contentType(ContentType.JSON).body(body).post("/api/v1/generations")
                    .then().statusCode(202).extract().path("generationId");
            GenerationRequested request = probe.await(GenerationRequested.class, template, Api.WAIT).payload();
            for (String id : List.of("elsewhere-1", "elsewhere-2")) { // as another replica publishes them
                GenerationRequested copy = new GenerationRequested(id, request.baseModel(), request.prompt(),
                        request.negativePrompt(), request.steps(), request.guidanceScale(), request.seed(),
                        request.count(), request.width(), request.height(), request.scheduler(), request.clipSkip(),
                        request.loras(), request.grid(), request.controls());
                RecordHeaders headers = new RecordHeaders();
                new JobMeta(tiny.key().id(), null, null).toHeaders().forEach(headers::add);
                headers.add("booth-admitted-by", "another-replica".getBytes(StandardCharsets.UTF_8));
                probe.publish(Event.of(id, "quade", copy), headers);
            }
            await().atMost(Api.WAIT).untilAsserted(() -> given().header("Authorization", "Bearer " + tiny.keyText())
                    .get("/api/v1/generations/elsewhere-2").then().statusCode(200));
        }
        given().header("Authorization", "Bearer " + tiny.keyText()).contentType(ContentType.JSON).body(body)
                .post("/api/v1/generations").then().statusCode(429).contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("(tier tiny: burst 2, 0.5 per minute) is out of calls"));
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

    @Test
    void anOwnerWithItsTiersNumberOfUnfinishedJobsMustWaitForOneToEnd() throws Exception {
        Api.installModel(store);
        String key = Api.created("quincy", "queue").keyText();
        String body = "{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of a dog\"}";
        try (EventProbe probe = EventProbe.forApplication()) {
            String first = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            given().header("Authorization", "Bearer " + key).header("Idempotency-Key", "q-2")
                    .contentType(ContentType.JSON).body(body)
                    .post("/api/v1/generations").then().statusCode(202);
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/generations").then().statusCode(429).contentType(Problem.MEDIA_TYPE)
                    .body("type", endsWith("/quota-exceeded"))
                    .body("detail", containsString("2 unfinished generations"))
                    .header("Retry-After", notNullValue());
            given().header("Authorization", "Bearer " + key).header("Idempotency-Key", "q-2")
                    .contentType(ContentType.JSON).body(body)
                    .post("/api/v1/generations").then().statusCode(200).header("Idempotent-Replayed", "true");
            given().header("Authorization", "Bearer " + key).get("/api/v1/me").then().statusCode(200)
                    .body("activeJobs", is(2));

            Event<GenerationRequested> requested = probe.await(GenerationRequested.class, first, Api.WAIT);
            probe.publish(requested.next(new GenerationFailed(first, "MODEL_NOT_FOUND", "gone")));
            await().atMost(Api.WAIT).until(() -> given().header("Authorization", "Bearer " + key)
                    .contentType(ContentType.JSON).body(body).post("/api/v1/generations").statusCode() == 202);
        }
    }

    @Test
    void aRequestCostsTokensByItsWorkAndAHugeOneHoldsTheKeyBack() {
        Api.installModel(store);
        String cheap = "{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of a dog\"}";
        String huge = "{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of a dog\",\"steps\":150,"
                + "\"count\":4,\"width\":1024,\"height\":1024}"; // 4 x 150 guided steps at 4 x 512^2: 3 tokens
        String key = Api.created("quill", "tiny").keyText();
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(huge)
                .post("/api/v1/generations").then().statusCode(202);
        String retryAfter = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(cheap).post("/api/v1/generations").then().statusCode(429).extract().header("Retry-After");
        assertTrue(Long.parseLong(retryAfter) > 180, "3 tokens from a bucket of 2 leave a debt: the next token is"
                + " more than one refill (120 s) away: " + retryAfter);

        String other = Api.created("quillon", "tiny").keyText();
        given().header("Authorization", "Bearer " + other).contentType(ContentType.JSON).body(cheap)
                .post("/api/v1/generations").then().statusCode(202);
        given().header("Authorization", "Bearer " + other).contentType(ContentType.JSON).body(huge)
                .post("/api/v1/generations").then().statusCode(429).contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("this request costs 3 tokens"));
    }
}
