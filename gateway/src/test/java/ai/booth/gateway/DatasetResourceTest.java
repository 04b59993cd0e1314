package ai.booth.gateway;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DatasetResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    ObjectStore store;

    @Test
    void uploadStagesFilesPublishesIngestedAndBecomesReadyOnDatasetReady() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            byte[] photo = TestImages.png(64, 48);
            var created = given().header(Owners.HEADER, "alice")
                    .multiPart("images", "rex 1.png", photo, "image/png")
                    .multiPart("images", "../rex2.png", photo, "image/png")
                    .multiPart("subject", "my dog Rex")
                    .when().post("/api/v1/datasets")
                    .then().statusCode(202)
                    .body("status", is("INGESTING"))
                    .extract();
            String datasetId = created.path("datasetId");
            String location = created.header("Location");
            assertTrue(location.endsWith("/api/v1/datasets/" + datasetId), location);

            Event<DatasetIngested> ingested = probe.await(DatasetIngested.class, datasetId, WAIT);
            assertEquals("alice", ingested.ownerId());
            assertEquals("my dog Rex", ingested.payload().subject());
            assertEquals(List.of("alice/" + datasetId + "/staging/00-rex_1.png",
                    "alice/" + datasetId + "/staging/01-rex2.png"), ingested.payload().stagingKeys());
            for (String key : ingested.payload().stagingKeys()) {
                assertArrayEquals(photo, store.get(Buckets.DATASETS, key), key);
            }

            given().header(Owners.HEADER, "alice").get("/api/v1/datasets/" + datasetId)
                    .then().statusCode(200).body("status", is("INGESTING"));

            String rawKey = Buckets.datasetRawKey("alice", datasetId, "00-rex_1.png");
            probe.publish(ingested.next(new DatasetReady(datasetId, List.of(new DatasetImage(rawKey, 64, 48,
                    "image/png")))));
            await().atMost(WAIT).untilAsserted(() -> given().header(Owners.HEADER, "alice")
                    .get("/api/v1/datasets/" + datasetId)
                    .then().statusCode(200)
                    .body("status", is("READY"))
                    .body("images[0].key", is(rawKey))
                    .body("images[0].width", is(64)));
        }
    }

    @Test
    void rejectionIsReportedWithItsProblems() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = given().header(Owners.HEADER, "bob")
                    .multiPart("images", "notes.txt", "hello".getBytes(), "text/plain")
                    .when().post("/api/v1/datasets")
                    .then().statusCode(202).extract().path("datasetId");
            Event<DatasetIngested> ingested = probe.await(DatasetIngested.class, datasetId, WAIT);
            probe.publish(ingested.next(new DatasetRejected(datasetId, List.of("00-notes.txt: not an image"))));
            await().atMost(WAIT).untilAsserted(() -> given().header(Owners.HEADER, "bob")
                    .get("/api/v1/datasets/" + datasetId)
                    .then().statusCode(200)
                    .body("status", is("REJECTED"))
                    .body("problems[0]", containsString("not an image")));
        }
    }

    @Test
    void datasetsOfOtherOwnersAreInvisible() {
        String datasetId = given().header(Owners.HEADER, "carol")
                .multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                .when().post("/api/v1/datasets")
                .then().statusCode(202).extract().path("datasetId");
        given().header(Owners.HEADER, "mallory").get("/api/v1/datasets/" + datasetId).then().statusCode(404);
        given().header(Owners.HEADER, "carol").get("/api/v1/datasets/" + datasetId).then().statusCode(200);
    }

    @Test
    void badRequestsSayWhatIsWrong() {
        given().multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                .when().post("/api/v1/datasets")
                .then().statusCode(400).body("error", containsString("X-Booth-Owner"));
        given().header(Owners.HEADER, "../etc")
                .multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                .when().post("/api/v1/datasets")
                .then().statusCode(400).body("error", containsString("'../etc'"));
        given().header(Owners.HEADER, "dave").multiPart("subject", "nothing attached")
                .when().post("/api/v1/datasets")
                .then().statusCode(400).body("error", containsString("'images'"));
    }

    @Test
    void fileNamesAreReducedToSafeKeys() {
        assertEquals("rex2.png", DatasetResource.safeFileName("../rex2.png"));
        assertEquals("a_b.jpg", DatasetResource.safeFileName("C:\\photos\\a b.jpg"));
        assertEquals("image", DatasetResource.safeFileName(".."));
        assertTrue(DatasetResource.safeFileName("x".repeat(300)).length() <= 80);
    }
}
