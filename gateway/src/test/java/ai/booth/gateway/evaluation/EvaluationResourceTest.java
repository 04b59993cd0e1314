package ai.booth.gateway.evaluation;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.EvalScores;
import ai.booth.contracts.EvaluationCompleted;
import ai.booth.contracts.EvaluationRequested;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationRequested;
import ai.booth.gateway.Api;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static ai.booth.gateway.Api.WAIT;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EvaluationResourceTest {

    @Inject
    ObjectStore store;

    @Test
    void anEvaluationScoresTheCallersGenerationsAgainstItsTrainingsPhotosWithoutTheSubjectsToken() throws Exception {
        ModelRegistry registry = new ModelRegistry(store);
        registry.list().stream().filter(ModelManifest::encoder).forEach(m -> store.remove(Buckets.MODELS,
                ModelRegistry.objectKey(m.id(), ModelRegistry.MANIFEST)));
        try (EventProbe probe = EventProbe.forApplication()) {
            String trainingId = Api.completedTraining(probe, store, "gail");
            String datasetId = Api.as("gail").get("/api/v1/trainings/" + trainingId).path("request.datasetId");
            String grid = completedGrid(probe, "gail", trainingId);
            String elsewhere = completedGrid(probe, "hugo", Api.completedTraining(probe, store, "hugo"));
            String body = "{\"generationIds\":[\"" + grid + "\"],\"trainingId\":\"" + trainingId + "\"}";
            await().atMost(WAIT).untilAsserted(() -> Api.as("gail").get("/api/v1/models").then()
                    .body("findAll { it.kind == 'encoder' }.size()", is(0)));
            Api.as("gail").contentType(ContentType.JSON).body(body).post("/api/v1/evaluations")
                    .then().statusCode(400)
                    .body("errors.field", hasItems("body"))
                    .body("errors.find { it.field == 'body' }.message",
                            containsString("a clip and a dino encoder installed"));

            Path eval = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny")).resolve("eval");
            registry.installEncoder(eval.resolve("clip"), "eval-clip", null);
            registry.installEncoder(eval.resolve("dino"), "eval-dino", null);
            await().atMost(WAIT).untilAsserted(() -> Api.as("gail").get("/api/v1/models").then()
                    .body("findAll { it.kind == 'encoder' }.size()", is(2)));
            Api.as("gail").contentType(ContentType.JSON)
                    .body("{\"generationIds\":[\"" + elsewhere + "\"],\"trainingId\":\"" + trainingId
                            + "\",\"datasetId\":\"" + datasetId + "\",\"tokens\":[\"\"]}")
                    .post("/api/v1/evaluations").then().statusCode(400)
                    .body("errors.field", hasItems("generationIds[0]", "trainingId", "tokens[0]"))
                    .body("errors.find { it.field == 'generationIds[0]' }.message",
                            is("no generation '" + elsewhere + "'"));

            String evaluationId = Api.as("gail").contentType(ContentType.JSON).body(body)
                    .post("/api/v1/evaluations").then().statusCode(202)
                    .body("status", is("REQUESTED"))
                    .extract().path("evaluationId");
            Event<EvaluationRequested> requested = probe.await(EvaluationRequested.class, evaluationId, WAIT);
            EvaluationRequested request = requested.payload();
            assertEquals(List.of("sks"), request.tokens(), "the training's subject token");
            assertEquals(List.of(Buckets.datasetProcessedKey("gail", datasetId, 1, "00.png")),
                    request.realImageKeys(), "the training's dataset's photos");
            assertEquals(IntStream.range(0, 4).mapToObj(i -> new EvaluationRequested.ScoredImage(
                    Buckets.generationImageKey("gail", grid, i), i % 2 == 0 ? "sks dog, beach" : "sks dog, moon"))
                    .toList(), request.images(), "each cell (row-major) with the prompt of its column");

            probe.publish(requested.next(new EvaluationCompleted(evaluationId,
                    new EvalScores(0, 0.61, 0.74, 0.29, 4, 1), 0.12)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("gail").get("/api/v1/evaluations/" + evaluationId)
                    .then().statusCode(200)
                    .body("status", is("COMPLETED"))
                    .body("scores.dino", is(0.61f))
                    .body("scores.clipT", is(0.29f))
                    .body("diversity", is(0.12f))
                    .body("request.images.size()", is(4)));
            Api.as("hugo").get("/api/v1/evaluations/" + evaluationId).then().statusCode(404);
        }
    }

    /** A 2×2 grid over the prompt (x) and the seed (y) (with the training's LoRA), answered COMPLETED as a sampler would. */
    private static String completedGrid(EventProbe probe, String ownerId, String trainingId) throws Exception {
        String generationId = Api.as(ownerId).contentType(ContentType.JSON)
                .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"sks dog\",\"steps\":2,"
                        + "\"loras\":[{\"trainingId\":\"" + trainingId + "\"}],"
                        + "\"grid\":{\"x\":{\"parameter\":\"prompt\",\"values\":[\"sks dog, beach\","
                        + "\"sks dog, moon\"]},\"y\":{\"parameter\":\"seed\",\"values\":[\"1\",\"2\"]}}}")
                .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
        Event<GenerationRequested> requested = probe.await(GenerationRequested.class, generationId, WAIT);
        List<GeneratedImage> images = IntStream.range(0, 4).mapToObj(i -> new GeneratedImage(
                Buckets.generationImageKey(ownerId, generationId, i), requested.payload().seed(), 10)).toList();
        probe.publish(requested.next(new GenerationCompleted(generationId, images, null, 20, null)));
        await().atMost(WAIT).untilAsserted(() -> Api.as(ownerId).get("/api/v1/generations/" + generationId).then()
                .body("status", is("COMPLETED")));
        return generationId;
    }
}
