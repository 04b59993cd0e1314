package ai.booth.gateway.generation;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.ControlRef;
import ai.booth.contracts.GenerationRequested;
import ai.booth.gateway.Api;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static ai.booth.gateway.Api.WAIT;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** ControlNet units of a generation: checked field by field, their images stored, their keys published. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GenerationControlsTest {

    private static final String CONTROLNET = "cn-test";

    @Inject
    ObjectStore store;

    @BeforeEach
    void installModels() {
        Api.installModel(store);
        if (!store.exists(Buckets.MODELS, CONTROLNET + "/model.json")) {
            store.put(Buckets.MODELS, CONTROLNET + "/model.json",
                    "{\"name\":\"Test ControlNet\",\"type\":\"controlnet\"}".getBytes(), "application/json");
        }
        // the gateway lists models afresh every few seconds
        await().atMost(WAIT).until(() -> Api.as("cara").get("/api/v1/models").then().extract()
                .<List<String>>path("id").contains(CONTROLNET));
    }

    @Test
    void aCannyUnitIsPublishedWithItsStoredImageAndTheDefaultsFilledIn() throws Exception {
        byte[] photo = TestImages.png(40, 32);
        try (EventProbe probe = EventProbe.forApplication()) {
            String id = Api.as("cara").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of sks dog\","
                            + "\"controls\":[{\"model\":\"" + CONTROLNET + "\",\"preprocessor\":\"canny\","
                            + "\"image\":\"data:image/png;base64," + Base64.getEncoder().encodeToString(photo)
                            + "\",\"scale\":0.8,\"guidanceEnd\":0.75}]}")
                    .post("/api/v1/generations").then().statusCode(202)
                    .body("request.controls[0].model", is(CONTROLNET)).extract().path("generationId");

            GenerationRequested request = probe.await(GenerationRequested.class, id, WAIT).payload();
            ControlRef unit = request.controls().get(0);
            assertEquals(new ControlRef(CONTROLNET, Buckets.GENERATIONS, "cara/" + id + "/control0-input.png",
                    "canny", 100, 200, 0.8, 0.0, 0.75, false), unit);
            assertArrayEquals(photo, store.get(Buckets.GENERATIONS, unit.imageKey()), "the image as sent");
        }
    }

    @Test
    void everyBadControlFieldIsNamedAndModelsServeOnlyAsWhatTheyAre() {
        String png = Base64.getEncoder().encodeToString(TestImages.png(16, 16));
        Api.as("cara").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"" + CONTROLNET + "\",\"prompt\":\"a dog\",\"controls\":["
                        + "{\"model\":\"" + Api.MODEL + "\",\"image\":\"" + png + "\"},"
                        + "{\"model\":\"" + CONTROLNET + "\",\"preprocessor\":\"depth\",\"scale\":3,"
                        + "\"guidanceStart\":0.9,\"guidanceEnd\":0.5,\"lowThreshold\":0},"
                        + "{\"model\":\"" + CONTROLNET + "\",\"image\":\"bm90IGFuIGltYWdl\","
                        + "\"lowThreshold\":150,\"highThreshold\":100}]}")
                .post("/api/v1/generations").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("baseModel", "controls[0].model", "controls[1].image",
                        "controls[1].preprocessor", "controls[1].lowThreshold", "controls[1].scale",
                        "controls[1].guidanceEnd", "controls[2].image", "controls[2].highThreshold"))
                .body("errors.find { it.field == 'baseModel' }.message", containsString("is a ControlNet"))
                .body("errors.find { it.field == 'controls[0].model' }.message", containsString("is a base model"))
                .body("errors.find { it.field == 'controls[1].scale' }.message", is("must be in [0, 2], got 3.0"))
                .body("errors.find { it.field == 'controls[1].guidanceEnd' }.message",
                        containsString("above guidanceStart"))
                .body("errors.find { it.field == 'controls[2].image' }.message", containsString("PNG or JPEG"));
    }

    @Test
    void aControlImageCanBeOneOfTheCallersDatasetImagesAndIsReadWhereItIsStored() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            Api.StoredImage image = Api.readyDatasetImage(probe, store, "cara");
            String id = generate("{\"model\":\"" + CONTROLNET + "\",\"preprocessor\":\"canny\",\"datasetImage\":{"
                    + "\"datasetId\":\"" + image.datasetId() + "\",\"key\":\"" + image.key() + "\"}}")
                    .statusCode(202).extract().path("generationId");

            GenerationRequested request = probe.await(GenerationRequested.class, id, WAIT).payload();
            assertEquals(new ControlRef(CONTROLNET, Buckets.DATASETS, image.key(), "canny", 100, 200, 1.0, 0.0, 1.0,
                    false), request.controls().get(0));
            assertFalse(store.exists(Buckets.GENERATIONS, Buckets.generationControlImageKey("cara", id, 0, "png")),
                    "nothing copied");
        }
    }

    @Test
    void aDatasetImageMustBeAStoredImageOfOneOfTheCallersDatasetsAndNotBesideAnUploadedOne() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            Api.StoredImage bobsImage = Api.readyDatasetImage(probe, store, "bob");
            String bobs = bobsImage.datasetId();
            String caras = Api.readyDataset(probe, "cara");
            String unstored = Buckets.datasetProcessedKey("cara", caras, 1, "00.png");
            String unit = "{\"model\":\"" + CONTROLNET + "\",\"datasetImage\":{\"datasetId\":\"%s\",\"key\":\"%s\"}";
            generate(String.format(unit, bobs, bobsImage.key()) + "}," + String.format(unit, caras, bobsImage.key())
                    + "}," + String.format(unit, caras, unstored) + ",\"image\":\""
                    + Base64.getEncoder().encodeToString(TestImages.png(16, 16)) + "\"}").statusCode(400)
                    .body("errors.field", containsInAnyOrder("controls[0].datasetImage.datasetId",
                            "controls[1].datasetImage.key", "controls[2].datasetImage"))
                    .body("errors.find { it.field == 'controls[0].datasetImage.datasetId' }.message",
                            is("no dataset '" + bobs + "'"))
                    .body("errors.find { it.field == 'controls[1].datasetImage.key' }.message",
                            containsString("is not an image of dataset '" + caras + "'"))
                    .body("errors.find { it.field == 'controls[2].datasetImage' }.message", containsString("not both"));
            generate(String.format(unit, caras, unstored) + "}").statusCode(400)
                    .body("errors.field", containsInAnyOrder("controls[0].datasetImage.key"))
                    .body("errors[0].message", containsString("no longer stored"));
        }
    }

    /** Cara's generation of the test model with these {@code controls} (JSON units, comma-separated). */
    private static ValidatableResponse generate(String controls) {
        return Api.as("cara").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of sks dog\",\"controls\":["
                        + controls + "]}")
                .post("/api/v1/generations").then();
    }

    @Test
    void aControlScaleGridNeedsAControlAndScalesWithinBounds() {
        Api.as("cara").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a dog\",\"grid\":{"
                        + "\"x\":{\"parameter\":\"controlScale\",\"values\":[\"0\",\"2.5\"]},"
                        + "\"y\":{\"parameter\":\"seed\",\"values\":[\"1\"]}}}")
                .post("/api/v1/generations").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("grid.x.parameter", "grid.x.values[1]"))
                .body("errors.find { it.field == 'grid.x.parameter' }.message", containsString("ControlNet"));
    }
}
