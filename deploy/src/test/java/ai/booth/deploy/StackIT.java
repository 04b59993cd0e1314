package ai.booth.deploy;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationRequested;
import ai.booth.infra.BoothHome;
import ai.booth.keys.ApiKeyStore;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole stack as {@code ./booth up} runs it: real broker, real S3 server, four service jars as processes. One
 * upload goes gateway → S3 → Kafka → dataset-service → S3 → Kafka → gateway.
 */
class StackIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path data;

    private static Stack stack;
    private static final List<String> status = new ArrayList<>();

    private static String apiKey;

    @BeforeAll
    static void start() throws Exception {
        StackSettings settings = StackSettings.ephemeral(BoothHome.root(), data);
        stack = new Stack(settings).start(status::add);
        apiKey = new ApiKeyStore(settings.keysFile()).create("e2e", "stack test", "standard").keyText();
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack == null) {
            return;
        }
        List<ProcessHandle> processes = stack.processes();
        stack.close();
        for (ProcessHandle process : processes) {
            process.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(process.isAlive(), "process " + process.pid() + " survived the stack");
        }
    }

    @Test
    void everyServiceIsReadyWithKafkaAndS3() {
        assertEquals(2 + Service.values().length, status.size(), status.toString());
        for (Service service : Service.values()) {
            given().baseUri(stack.url(service).toString()).get("/q/health/ready").then()
                    .statusCode(200)
                    .body("status", is("UP"))
                    .body("checks.find { it.name == 'kafka' }.status", is("UP"))
                    .body("checks.find { it.name == 's3' }.status", is("UP"));
        }
    }

    @Test
    void anUploadCrossesKafkaAndS3AndComesBackReady() throws Exception {
        byte[] photo = TestImages.png(640, 560);
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            String datasetId = gateway()
                    .multiPart("images", "rex.png", photo, "image/png")
                    .multiPart("instancePrompt", "a photo of sks dog")
                    .post("/api/v1/datasets")
                    .then().statusCode(202).extract().path("datasetId");

            Event<DatasetIngested> ingested = probe.await(DatasetIngested.class, datasetId, WAIT);
            Event<DatasetReady> ready = probe.await(DatasetReady.class, datasetId, WAIT);
            assertEquals(ingested.correlationId(), ready.correlationId());
            DatasetImage image = ready.payload().images().get(0);
            assertEquals(Buckets.datasetProcessedKey("e2e", datasetId, 1, "00.png"), image.key());
            assertEquals("a photo of sks dog", image.caption());
            assertArrayEquals(photo, read(Buckets.DATASETS, Buckets.datasetRawKey("e2e", datasetId, "00.png")),
                    "the original in S3");

            awaitStatus("/api/v1/datasets/" + datasetId, "READY")
                    .body("images[0].key", is(image.key()))
                    .body("images[0].width", is(512))
                    .body("report.images[0].source", is("00-rex.png"));
        }
        assertTrue(stack.exited().isEmpty(), "a service died during the test");
    }

    @Test
    void aGenerationRequestedOverKafkaIsAnsweredBySamplerServiceAndShownByTheGateway() throws Exception {
        gateway().contentType(ContentType.JSON)
                .body("{\"baseModel\":\"not-installed\",\"prompt\":\"a photo of sks dog\"}")
                .post("/api/v1/generations")
                .then().statusCode(400).body("errors[0].field", is("baseModel"));
        String generationId = UUID.randomUUID().toString();
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            probe.publish(Event.of(generationId, "e2e", new GenerationRequested(generationId, "not-installed",
                    "a photo of sks dog", null, 20, 7.5, 1, 1, 512, 512, "ddim", 0, List.of(), null)));
        }
        awaitStatus("/api/v1/generations/" + generationId, "FAILED")
                .body("failure.code", is("MODEL_NOT_FOUND"));
        given().baseUri(stack.url(Service.GATEWAY).toString()).get("/api/v1/generations/" + generationId)
                .then().statusCode(401);
    }

    @Test
    void theDemoModelIsInstalledAtStartAndRendersThroughGatewayKafkaSamplerAndS3() throws Exception {
        gateway().get("/api/v1/models").then().statusCode(200)
                .body("find { it.id == 'sd-tiny' }.manifest.kind", is("folder"));
        String generationId = gateway().contentType(ContentType.JSON)
                .body("{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog\",\"steps\":2,\"count\":2,"
                        + "\"seed\":5}")
                .post("/api/v1/generations")
                .then().statusCode(202).extract().path("generationId");
        var view = awaitStatus("/api/v1/generations/" + generationId, "COMPLETED")
                .body("images.size()", is(2)).extract().jsonPath();
        assertEquals(6L, view.getLong("images[1].seed"));
        assertTrue(new String(read(Buckets.GENERATIONS, Buckets.generationImageKey("e2e", generationId, 1)),
                StandardCharsets.ISO_8859_1).contains("Seed: 6"), "the PNG's parameters chunk");
        assertTrue(stack.exited().isEmpty(), "a service died during the test");
    }

    /** Polls a gateway resource until its status is {@code expected}; returns the last answer for more checks. */
    private static ValidatableResponse awaitStatus(String path, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ValidatableResponse response = gateway().get(path).then().statusCode(200);
            if (expected.equals(response.extract().path("status")) || System.nanoTime() > deadline) {
                return response.body("status", is(expected));
            }
            Thread.sleep(200);
        }
    }

    /** A request to the gateway with owner e2e's API key. */
    private static RequestSpecification gateway() {
        return given().baseUri(stack.url(Service.GATEWAY).toString()).header("Authorization", "Bearer " + apiKey);
    }

    private static byte[] read(String bucket, String key) throws Exception {
        MinioClient s3 = MinioClient.builder().endpoint(stack.infra().s3Endpoint()).region("us-east-1")
                .credentials(stack.infra().settings().accessKey(), stack.infra().settings().secretKey()).build();
        try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }
}
