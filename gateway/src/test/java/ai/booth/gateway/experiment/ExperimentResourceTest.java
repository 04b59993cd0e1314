package ai.booth.gateway.experiment;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.EvalScores;
import ai.booth.contracts.EvaluationCompleted;
import ai.booth.contracts.EvaluationRequested;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingRequested;
import ai.booth.gateway.Api;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static ai.booth.gateway.Api.WAIT;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ExperimentResourceTest {

    @Inject
    ObjectStore store;

    private static String spec(String datasetId, String variants) {
        return "{\"datasetId\":\"" + datasetId + "\",\"training\":{\"baseModel\":\"" + Api.MODEL + "\","
                + "\"classNoun\":\"dog\",\"priorPreservation\":false,\"maxTrainSteps\":10},\"variants\":" + variants
                + ",\"prompts\":[\"sks dog, beach\",\"sks dog, moon\"],\"seeds\":[1,2],\"steps\":2}";
    }

    @Test
    void badVariantsAreNamedByTheirIndexAndField() throws Exception {
        Api.installModel(store);
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "kim");
            Api.as("kim").contentType(ContentType.JSON)
                    .body(spec(datasetId, "[{\"overrides\":{\"rnk\":4}},{\"overrides\":{\"rank\":0}}]"))
                    .post("/api/v1/experiments").then().statusCode(400)
                    .body("errors.field", hasItems("variants[0].overrides.rnk", "variants[1].rank"))
                    .body("errors.find { it.field == 'variants[0].overrides.rnk' }.message",
                            containsString("is not a training field"));
        }
    }

    @Test
    void eachTrainedVariantRendersTheBaseModelsGridAndIsScoredInItsRow() throws Exception {
        Api.installModel(store);
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "lee");
            JsonPath created = Api.as("lee").contentType(ContentType.JSON)
                    .body(spec(datasetId, "[{\"overrides\":{\"rank\":4}},{\"label\":\"wide\",\"overrides\":"
                            + "{\"rank\":8}}]"))
                    .post("/api/v1/experiments").then().statusCode(202)
                    .body("request.variants.label", hasItems("rank=4", "wide"))
                    .extract().jsonPath();
            String experimentId = created.getString("experimentId");
            String narrow = created.getString("request.variants[0].training.trainingId");
            String renderId = created.getString("request.render.generationId");

            // every variant is an ordinary training, and the base model renders the prompts by the seeds at once
            assertEquals(4, probe.await(TrainingRequested.class, narrow, WAIT).payload().rank());
            Event<TrainingRequested> wide = probe.await(TrainingRequested.class,
                    created.getString("request.variants[1].training.trainingId"), WAIT);
            assertEquals(8, wide.payload().rank());
            assertEquals(datasetId, wide.payload().datasetId());
            GenerationRequested base = probe.await(GenerationRequested.class, renderId, WAIT).payload();
            assertEquals(List.of("sks dog, beach", "sks dog, moon"), base.grid().x().values());
            assertEquals(List.of("1", "2"), base.grid().y().values());
            assertEquals(List.of(), base.loras());

            // the narrow variant trained: it renders the same grid with its LoRA, then is scored
            Event<TrainingRequested> narrowRequest = probe.await(TrainingRequested.class, narrow, WAIT);
            String adapter = "lee/" + narrow + "/pytorch_lora_weights.safetensors";
            probe.publish(narrowRequest.next(new TrainingCompleted(narrow, adapter, 10, 0.07, 2_000, List.of(),
                    List.of())));
            String narrowRender = ExperimentIds.render(experimentId, narrow);
            Event<GenerationRequested> rendered = probe.await(GenerationRequested.class, narrowRender, WAIT);
            assertEquals(adapter, rendered.payload().loras().get(0).adapterKey());
            assertEquals(base.grid(), rendered.payload().grid());
            assertEquals(base.seed(), rendered.payload().seed());

            List<GeneratedImage> cells = IntStream.range(0, 4).mapToObj(i -> new GeneratedImage(
                    Buckets.generationImageKey("lee", narrowRender, i), 1, 10)).toList();
            probe.publish(rendered.next(new GenerationCompleted(narrowRender, cells,
                    Buckets.generationGridKey("lee", narrowRender), 40, null)));
            String evaluationId = ExperimentIds.evaluation(experimentId, narrowRender);
            Event<EvaluationRequested> scoring = probe.await(EvaluationRequested.class, evaluationId, WAIT);
            assertEquals(List.of("sks dog, beach", "sks dog, moon", "sks dog, beach", "sks dog, moon"),
                    scoring.payload().images().stream().map(EvaluationRequested.ScoredImage::prompt).toList());
            assertEquals(List.of("sks"), scoring.payload().tokens());
            assertEquals(List.of(Buckets.datasetProcessedKey("lee", datasetId, 1, "00.png")),
                    scoring.payload().realImageKeys());
            probe.publish(scoring.next(new EvaluationCompleted(evaluationId, new EvalScores(0, 0.7, 0.8, 0.3, 4, 1),
                    0.2)));

            await().atMost(WAIT).untilAsserted(() -> Api.as("lee").get("/api/v1/experiments/" + experimentId)
                    .then().statusCode(200)
                    .body("rows.label", hasItems("base model", "rank=4", "wide"))
                    .body("rows[1].scores.dino", is(0.7f))
                    .body("rows[1].diversity", is(0.2f))
                    .body("rows[1].steps", is(10))
                    .body("rows[1].stepsPerSecond", is(5.0f))
                    .body("rows[1].rank", is(4))
                    .body("rows[1].renderStatus", is("COMPLETED"))
                    .body("rows[1].images.size()", is(4))
                    .body("rows[1].sheet.url", containsString("X-Amz-Signature"))
                    .body("rows[2].trainingStatus", is("REQUESTED"))
                    .body("status", is("RUNNING")));
            JsonPath shown = Api.as("lee").get("/api/v1/experiments/" + experimentId).then().extract().jsonPath();
            assertNull(shown.get("rows[2].renderStatus"), "the wide variant renders once trained");
            Api.as("kim").get("/api/v1/experiments/" + experimentId).then().statusCode(404);
        }
    }
}
