package ai.booth.gateway;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class JobResourcesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void trainingIsPublishedWithDefaultsAndFollowsItsEvents() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String trainingId = Api.as("alice").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd15\",\"datasetId\":\"ds-1\",\"instanceToken\":\"sks\","
                            + "\"classNoun\":\"dog\",\"rank\":8}")
                    .post("/api/v1/trainings")
                    .then().statusCode(202)
                    .body("status", is("REQUESTED"))
                    .body("request.instancePrompt", is("a photo of sks dog"))
                    .extract().path("trainingId");

            TrainingRequested request = probe.await(TrainingRequested.class, trainingId, WAIT).payload();
            assertEquals("a photo of dog", request.classPrompt());
            assertEquals(8, request.rank());
            assertEquals(8.0, request.alpha(), "alpha defaults to the rank");
            assertEquals(1e-4, request.unetLearningRate());

            Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
            probe.publish(requested.next(new TrainingProgress(trainingId, 10, 500, 0.12, 1e-4, 2.5, 196, List.of(),
                    null)));
            awaitTraining(trainingId, "RUNNING", "progress.step", 10);
            probe.publish(requested.next(new TrainingCompleted(trainingId, "alice/" + trainingId + "/lora.safetensors",
                    500, 0.08, 200_000, List.of(), List.of())));
            probe.publish(requested.next(new TrainingProgress(trainingId, 499, 500, 0.08, 1e-4, 2.5, 0, List.of(),
                    null)));
            awaitTraining(trainingId, "COMPLETED", "result.steps", 500);
            Api.as("alice").get("/api/v1/trainings/" + trainingId)
                    .then().body("status", is("COMPLETED")).body("progress.step", is(10));
        }
    }

    @Test
    void generationIsPublishedAndReportsItsFailure() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String generationId = Api.as("bob").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd15\",\"prompt\":\"a photo of sks dog on the moon\","
                            + "\"loras\":[{\"adapterKey\":\"bob/t1/lora.safetensors\",\"unetScale\":0.8,"
                            + "\"textEncoderScale\":0.5}]}")
                    .post("/api/v1/generations")
                    .then().statusCode(202).body("status", is("REQUESTED"))
                    .extract().path("generationId");

            Event<GenerationRequested> requested = probe.await(GenerationRequested.class, generationId, WAIT);
            assertEquals(30, requested.payload().steps());
            assertEquals(0.8, requested.payload().loras().get(0).unetScale());

            probe.publish(requested.next(new GenerationFailed(generationId, "MODEL_NOT_FOUND", "no sd15")));
            await().atMost(WAIT).untilAsserted(() -> Api.as("bob")
                    .get("/api/v1/generations/" + generationId)
                    .then().statusCode(200).body("status", is("FAILED")).body("failure.code", is("MODEL_NOT_FOUND")));
        }
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        Api.as("carol").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"sd15\",\"datasetId\":\"ds\",\"instanceToken\":\"sks\"}")
                .post("/api/v1/trainings")
                .then().statusCode(400).body("error", containsString("'classNoun'"));
        Api.as("carol").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"sd15\",\"prompt\":\" \"}")
                .post("/api/v1/generations")
                .then().statusCode(400).body("error", containsString("'prompt'"));
        Api.as("carol").get("/api/v1/trainings/nope").then().statusCode(404);
    }

    private static void awaitTraining(String trainingId, String status, String path, int value) {
        await().atMost(WAIT).untilAsserted(() -> Api.as("alice")
                .get("/api/v1/trainings/" + trainingId)
                .then().statusCode(200).body("status", is(status)).body(path, is(value)));
    }
}
