package ai.booth.gateway.dataset;

import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.Api;
import ai.booth.gateway.http.Problem;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
            var created = Api.as("alice")
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

            Api.as("alice").get("/api/v1/datasets/" + datasetId)
                    .then().statusCode(200).body("status", is("INGESTING"));

            assertEquals(DatasetSettings.DEFAULT, ingested.payload().settings());
            String key = Buckets.datasetProcessedKey("alice", datasetId, 1, "00.png");
            probe.publish(ingested.next(Api.ready(datasetId, 1, key)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("alice")
                    .get("/api/v1/datasets/" + datasetId)
                    .then().statusCode(200)
                    .body("status", is("READY"))
                    .body("version", is(1))
                    .body("images[0].key", is(key))
                    .body("images[0].caption", is("a photo of sks dog"))
                    .body("report.totals.trainingImages", is(1)));
        }
    }

    @Test
    void rejectionIsReportedWithItsProblems() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.as("bob")
                    .multiPart("images", "notes.txt", "hello".getBytes(), "text/plain")
                    .when().post("/api/v1/datasets")
                    .then().statusCode(202).extract().path("datasetId");
            Event<DatasetIngested> ingested = probe.await(DatasetIngested.class, datasetId, WAIT);
            probe.publish(ingested.next(new DatasetRejected(datasetId, List.of("00-notes.txt: not an image"), null)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("bob")
                    .get("/api/v1/datasets/" + datasetId)
                    .then().statusCode(200)
                    .body("status", is("REJECTED"))
                    .body("problems[0]", containsString("not an image")));
        }
    }

    @Test
    void processingSettingsAndInstancePromptTravelWithTheUpload() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.as("erin")
                    .multiPart("images", "rex.zip", TestImages.png(8, 8), "application/zip")
                    .multiPart("instancePrompt", "a photo of sks dog")
                    .multiPart("cropMode", "center")
                    .multiPart("resolution", "768")
                    .multiPart("aspectBuckets", "true")
                    .when().post("/api/v1/datasets")
                    .then().statusCode(202).extract().path("datasetId");
            DatasetIngested ingested = probe.await(DatasetIngested.class, datasetId, WAIT).payload();
            assertEquals("a photo of sks dog", ingested.instancePrompt());
            assertEquals(new DatasetSettings("centre", 768, true, true), ingested.settings());
        }
        Api.as("erin")
                .multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                .multiPart("cropMode", "stretch")
                .multiPart("resolution", "500")
                .when().post("/api/v1/datasets")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", is(400))
                .body("errors.find { it.field == 'cropMode' }.message",
                        is("must be one of [face, centre, pad], got 'stretch'"))
                .body("errors.find { it.field == 'resolution' }.message", containsString("must be a multiple of 8"));
    }

    @Test
    void anOversizeFileStopsTheUploadWhileStreamingAndNothingIsStaged(@TempDir Path dir) throws Exception {
        long size = DatasetLimits.DEFAULT.maxFileBytes() + 1;
        Path huge = dir.resolve("huge.jpg");
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(size); // streamed from disk: a byte[] this large would crowd the test JVM
        }
        Api.as("frank")
                .multiPart("images", "ok.png", TestImages.png(8, 8), "image/png")
                .multiPart("images", huge.toFile(), "image/jpeg")
                .when().post("/api/v1/datasets")
                .then().statusCode(413)
                .contentType(Problem.MEDIA_TYPE)
                .body("detail", startsWith("huge.jpg: over the image limit of "
                        + DatasetLimits.DEFAULT.maxFileBytes() + " bytes"));
        assertEquals(List.of(), store.list(Buckets.DATASETS, "frank/"));
    }

    @Test
    void aReadyDatasetCanBeReprocessedWithOtherSettings() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.as("gina")
                    .multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                    .when().post("/api/v1/datasets")
                    .then().statusCode(202).extract().path("datasetId");
            Api.as("gina").contentType(ContentType.JSON).body("{}")
                    .post("/api/v1/datasets/" + datasetId + "/reprocess")
                    .then().statusCode(409).body("detail", containsString("INGESTING"));
            Event<DatasetIngested> ingested = probe.await(DatasetIngested.class, datasetId, WAIT);
            String v1 = Buckets.datasetProcessedKey("gina", datasetId, 1, "00.png");
            probe.publish(ingested.next(Api.ready(datasetId, 1, v1)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("gina")
                    .get("/api/v1/datasets/" + datasetId).then().body("status", is("READY")));

            Api.as("gina").contentType(ContentType.JSON)
                    .body("{\"cropMode\":\"pad\",\"resolution\":768,\"instancePrompt\":\"a photo of sks cat\"}")
                    .post("/api/v1/datasets/" + datasetId + "/reprocess")
                    .then().statusCode(202).body("version", is(1));
            DatasetReprocessRequested request = probe.await(DatasetReprocessRequested.class, datasetId, WAIT)
                    .payload();
            assertEquals(new DatasetSettings("pad", 768, false, true), request.settings());
            assertEquals("a photo of sks cat", request.instancePrompt());

            probe.publish(ingested.next(new DatasetRejected(datasetId, List.of("00.jpg: TOO_SMALL: 700x700"), null)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("gina")
                    .get("/api/v1/datasets/" + datasetId).then()
                    .body("status", is("READY"))
                    .body("version", is(1))
                    .body("problems[0]", containsString("TOO_SMALL")));
            String v2 = Buckets.datasetProcessedKey("gina", datasetId, 2, "00.png");
            probe.publish(ingested.next(Api.ready(datasetId, 2, v2)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("gina")
                    .get("/api/v1/datasets/" + datasetId).then()
                    .body("version", is(2))
                    .body("images[0].key", is(v2))
                    .body("problems.size()", is(0)));
        }
        Api.as("gina").contentType(ContentType.JSON).body("{}")
                .post("/api/v1/datasets/nope/reprocess").then().statusCode(404);
    }

    @Test
    void datasetsOfOtherOwnersAreInvisible() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            Api.StoredImage image = Api.readyDatasetImage(probe, store, "carol");
            String datasetId = image.datasetId();
            String key = image.key();
            for (String path : List.of("", "/report")) {
                Api.as("mallory").get("/api/v1/datasets/" + datasetId + path).then().statusCode(404)
                        .body("detail", is("no dataset '" + datasetId + "'"));
            }
            Api.as("mallory").contentType(ContentType.JSON).body("{}")
                    .post("/api/v1/datasets/" + datasetId + "/reprocess").then().statusCode(404);
            Api.as("mallory").redirects().follow(false).get("/api/v1/images/datasets/" + key).then().statusCode(404);
            Api.as("mallory").get("/api/v1/datasets").then().statusCode(200)
                    .body("items.datasetId", not(hasItem(datasetId)));
            Api.as("carol").get("/api/v1/datasets/" + datasetId + "/report").then().statusCode(200)
                    .body("totals.trainingImages", is(1));
        }
    }

    @Test
    void trainingImagesCarryPresignedUrlsThatLoadWithoutAKey() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "hana");
            String key = Buckets.datasetProcessedKey("hana", datasetId, 1, "00.png");
            byte[] png = TestImages.png(32, 32);
            store.put(Buckets.DATASETS, key, png, "image/png");
            String url = Api.as("hana").get("/api/v1/datasets/" + datasetId).then().statusCode(200)
                    .body("images[0].width", is(512)).extract().path("images[0].url");
            assertArrayEquals(png, download(url), "the presigned URL serves the object");
            String location = Api.as("hana").redirects().follow(false).get("/api/v1/images/datasets/" + key)
                    .then().statusCode(303).extract().header("Location");
            assertArrayEquals(png, download(location), "a renewed URL too");
            assertEquals(403, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    url.replaceAll("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0".repeat(64)))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "a forged signature is refused");
        }
    }

    @Test
    void anUploadWithAnIdempotencyKeyCreatesOneDataset() {
        byte[] photo = TestImages.png(20, 20);
        String first = Api.as("ivy").header(Idempotency.HEADER, "upload-1")
                .multiPart("images", "a.png", photo, "image/png").multiPart("subject", "Rex")
                .post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
        Api.as("ivy").header(Idempotency.HEADER, "upload-1")
                .multiPart("images", "a.png", photo, "image/png").multiPart("subject", "Rex")
                .post("/api/v1/datasets").then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("datasetId", is(first));
        Api.as("ivy").header(Idempotency.HEADER, "upload-1")
                .multiPart("images", "a.png", TestImages.png(21, 20), "image/png").multiPart("subject", "Rex")
                .post("/api/v1/datasets").then().statusCode(409)
                .body("type", endsWith("idempotency-key-reused")).body("detail", containsString(first));
        String other = Api.as("jack").header(Idempotency.HEADER, "upload-1")
                .multiPart("images", "a.png", photo, "image/png").multiPart("subject", "Rex")
                .post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
        assertNotEquals(first, other, "keys are per owner");
        Api.as("ivy").get("/api/v1/datasets?limit=100").then().statusCode(200)
                .body("items.findAll { it.datasetId == '" + first + "' }.size()", is(1))
                .body("items[0].subject", is("Rex"));
    }

    @Test
    void listsAreNewestFirstAndPaged() {
        for (int i = 0; i < 3; i++) {
            Api.as("kate").multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                    .multiPart("subject", "photo " + i).post("/api/v1/datasets").then().statusCode(202);
        }
        Api.as("kate").get("/api/v1/datasets?limit=2").then().statusCode(200)
                .body("total", is(3)).body("items.size()", is(2))
                .body("items.subject", contains("photo 2", "photo 1"));
        Api.as("kate").get("/api/v1/datasets?offset=2&limit=2").then()
                .body("items.subject", contains("photo 0"));
        Api.as("kate").get("/api/v1/datasets?limit=1000").then().statusCode(400)
                .body("errors[0].field", is("limit"));
    }

    private static byte[] download(String url) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body()));
        return response.body();
    }

    @Test
    void badRequestsSayWhatIsWrong() {
        Api.as("dave").multiPart("subject", "nothing attached")
                .when().post("/api/v1/datasets")
                .then().statusCode(400).body("errors[0].field", is("images"));
        Api.as("dave").multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                .multiPart("captionz", "typo")
                .when().post("/api/v1/datasets")
                .then().statusCode(400).body("errors[0].field", is("captionz"));
        Api.as("dave").multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                .multiPart("aspectBuckets", "maybe").multiPart("callbackUrl", "ftp://x")
                .when().post("/api/v1/datasets")
                .then().statusCode(400)
                .body("errors.field", hasItems("aspectBuckets", "callbackUrl"));
        Api.as("dave").contentType(ContentType.JSON).body("{}").when().post("/api/v1/datasets")
                .then().statusCode(415).contentType(Problem.MEDIA_TYPE);
        Api.as("dave").get("/api/v1/datasets/nope/report").then().statusCode(404)
                .body("detail", is("no dataset 'nope'"));
    }

    @Test
    void fileNamesAreReducedToSafeKeys() {
        assertEquals("rex2.png", DatasetService.safeFileName("../rex2.png"));
        assertEquals("a_b.jpg", DatasetService.safeFileName("C:\\photos\\a b.jpg"));
        assertEquals("image", DatasetService.safeFileName(".."));
        assertTrue(DatasetService.safeFileName("x".repeat(300)).length() <= 80);
    }
}
