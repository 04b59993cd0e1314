package ai.booth.gateway.generation;

import ai.booth.gateway.Api;
import ai.booth.gateway.http.Problem;
import ai.booth.gateway.model.PromptLength;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static ai.booth.gateway.Api.WAIT;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GenerationResourceTest {

    @Inject
    ObjectStore store;

    @Inject
    PromptLength prompts;

    @BeforeEach
    void installModel() {
        Api.installModel(store);
    }

    @Test
    void aGenerationWithTheOwnersAdapterIsPublishedAndItsImagesLoad() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String trainingId = Api.completedTraining(probe, store, "bob");
            String generationId = Api.as("bob").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of sks dog on the moon\","
                            + "\"scheduler\":\"Euler a\",\"count\":2,\"deepCache\":3,\"tokenMerging\":0.5,"
                            + "\"loras\":[{\"trainingId\":\"" + trainingId + "\",\"unetScale\":0.8,"
                            + "\"textEncoderScale\":0.5}]}")
                    .post("/api/v1/generations")
                    .then().statusCode(202).body("status", is("REQUESTED"))
                    .extract().path("generationId");

            Event<GenerationRequested> requested = probe.await(GenerationRequested.class, generationId, WAIT);
            GenerationRequested request = requested.payload();
            assertEquals(20, request.steps());
            assertEquals(7.5, request.guidanceScale());
            assertEquals("euler_a", request.scheduler(), "A1111 labels become Booth names");
            assertEquals(3, request.deepCacheInterval());
            assertEquals(0.5, request.tokenMergingRatio());
            assertEquals(256, request.width(), "the model manifest's resolution");
            assertTrue(request.seed() >= 0 && request.seed() < (1L << 32), "a random seed is chosen and kept");
            assertEquals("bob/" + trainingId + "/pytorch_lora_weights.safetensors",
                    request.loras().get(0).adapterKey());
            assertEquals(0.8, request.loras().get(0).unetScale());
            assertEquals(0.5, request.loras().get(0).textEncoderScale());

            byte[] png = TestImages.png(24, 24);
            List<GeneratedImage> images = List.of(
                    new GeneratedImage("bob/" + generationId + "/00000.png", request.seed(), 900),
                    new GeneratedImage("bob/" + generationId + "/00001.png", request.seed() + 1, 800));
            for (GeneratedImage image : images) {
                store.put(Buckets.GENERATIONS, image.key(), png, "image/png");
            }
            probe.publish(requested.next(new GenerationCompleted(generationId, images, null, 2000, null)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("bob").get("/api/v1/generations/" + generationId)
                    .then().statusCode(200).body("status", is("COMPLETED")));
            var view = Api.as("bob").get("/api/v1/generations/" + generationId).then()
                    .body("images.size()", is(2))
                    .body("request.prompt", is("a photo of sks dog on the moon"))
                    .extract().jsonPath();
            assertEquals(request.seed() + 1, view.getLong("images[1].seed"));
            String url = view.getString("images[0].url");
            HttpResponse<byte[]> image = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(png, image.body());
            Api.as("bob").get("/api/v1/generations").then().statusCode(200)
                    .body("items[0].generationId", is(generationId))
                    .body("items[0].images[0].url", startsWith("http"));
            Api.as("eve").get("/api/v1/generations/" + generationId).then().statusCode(404);
            Api.as("eve").redirects().follow(false).get("/api/v1/images/generations/" + images.get(0).key())
                    .then().statusCode(404);
        }
    }

    @Test
    void aGridRequestIsCheckedAndPublished() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String trainingId = Api.completedTraining(probe, store, "gia");
            String generationId = Api.as("gia").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of sks dog\",\"seed\":7,"
                            + "\"loras\":[{\"trainingId\":\"" + trainingId + "\"}],\"grid\":{"
                            + "\"x\":{\"parameter\":\"unetScale\",\"values\":[\"0\",\"0.5\",\"1\"]},"
                            + "\"y\":{\"parameter\":\"guidanceScale\",\"values\":[\"3\",\"7.5\"]}}}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            GenerationRequested request = probe.await(GenerationRequested.class, generationId, WAIT).payload();
            assertEquals(List.of("0", "0.5", "1"), request.grid().x().values());
            assertEquals(1.0, request.loras().get(0).unetScale(), "scales default to 1");
            assertEquals(7, request.seed());
        }
    }

    @Test
    void everyBadFieldIsNamed() throws Exception {
        String tooLong = "a photo of sks dog " + "with a hat ".repeat(30);
        Api.as("carol").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"" + tooLong + "\",\"steps\":0,"
                        + "\"guidanceScale\":31,\"width\":100,\"height\":4096,\"scheduler\":\"warp\",\"count\":9,"
                        + "\"deepCache\":11,\"tokenMerging\":0.9,"
                        + "\"loras\":[{\"trainingId\":\"nope\",\"unetScale\":3},{\"unetScale\":1}],"
                        + "\"grid\":{\"x\":{\"parameter\":\"cfg\",\"values\":[\"1\"]},"
                        + "\"y\":{\"parameter\":\"seed\",\"values\":[\"one\"]}}}")
                .post("/api/v1/generations")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItems("prompt", "steps", "guidanceScale", "width", "height", "scheduler",
                        "count", "loras[0].unetScale", "loras[0].trainingId", "loras[1]", "grid.x.parameter",
                        "grid.y.values[0]", "deepCache", "tokenMerging"))
                .body("errors.find { it.field == 'deepCache' }.message", is("must be in [1, 10], got 11"))
                .body("errors.find { it.field == 'scheduler' }.message", containsString("dpmpp_2m_karras"))
                .body("errors.find { it.field == 'loras[0].unetScale' }.message", is("must be in [-2, 2], got 3.0"))
                .body("errors.find { it.field == 'loras[0].trainingId' }.message", is("no training 'nope'"));
        Api.as("carol").contentType(ContentType.JSON).body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\" \"}")
                .post("/api/v1/generations").then().statusCode(400)
                .body("errors[0].field", is("prompt")).body("errors[0].message", is("is required"));
        try (EventProbe probe = EventProbe.forApplication()) {
            String bobs = Api.completedTraining(probe, store, "bart");
            Api.as("carol").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a dog\",\"loras\":[{\"trainingId\":\""
                            + bobs + "\"},{\"adapterKey\":\"bart/" + bobs + "/pytorch_lora_weights.safetensors\"}]}")
                    .post("/api/v1/generations").then().statusCode(400)
                    .body("errors.find { it.field == 'loras[0].trainingId' }.message", is("no training '" + bobs
                            + "'"))
                    .body("errors.find { it.field == 'loras[1].adapterKey' }.message", startsWith("no adapter"));
        }
    }

    @Test
    void aFailureIsReported() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String generationId = Api.as("dan").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of a dog\"}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            Event<GenerationRequested> requested = probe.await(GenerationRequested.class, generationId, WAIT);
            probe.publish(requested.next(new GenerationFailed(generationId, "MODEL_NOT_FOUND", "no sd15")));
            await().atMost(WAIT).untilAsserted(() -> Api.as("dan").get("/api/v1/generations/" + generationId)
                    .then().statusCode(200).body("status", is("FAILED")).body("failure.code", is("MODEL_NOT_FOUND")));
        }
    }

    @Test
    void anUnknownBaseModelIsRefusedBeforeAnyTokenizerIsCachedForIt() {
        String unknown = "no-such-model-" + "x".repeat(200_000);
        Api.as("cedric").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"" + unknown + "\",\"prompt\":\"a photo of a dog\","
                        + "\"negativePrompt\":\"blurry\"}")
                .post("/api/v1/generations").then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItems("baseModel"));
        assertTrue(prompts.cachedModelIds().stream().allMatch(id -> id.length() < 200),
                "cached: " + prompts.cachedModelIds().stream().map(id -> id.length() > 40
                        ? id.substring(0, 40) + "... (" + id.length() + " chars)" : id).toList());
    }

    @Test
    void callbackUrlsToInternalAddressesAreRefusedAndNamed() {
        // the test profile allows 127.0.0.1 only (WebhookTest's receiver); nothing here is ever connected to
        for (String url : List.of("http://169.254.169.254/latest/meta-data/",
                "http://127.0.0.2:9000/hook", "http://10.0.0.1/x", "https://192.168.1.1/x", "http://[::1]/x",
                "http://[::ffff:a9fe:a9fe]/x", "http://0.0.0.0/x", "http://[fd00::1]/x")) {
            Api.as("cedric").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a dog\",\"callbackUrl\":\"" + url
                            + "\"}")
                    .post("/api/v1/generations").then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                    .body("errors[0].field", is("callbackUrl"))
                    .body("errors[0].message", containsString("refused"));
        }
    }

    @Test
    void aJsonBodyOverOneMebibyteIsRefusedAsTooLarge() {
        String big = "{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a dog\",\"negativePrompt\":\""
                + "z".repeat(2 * 1024 * 1024) + "\"}";
        Api.as("cedric").contentType(ContentType.JSON).body(big).post("/api/v1/generations").then()
                .statusCode(413);
    }
}
