package ai.booth.deploy;

import ai.booth.contracts.Buckets;
import ai.booth.infra.BoothHome;
import ai.booth.keys.ApiKeyStore;
import ai.booth.testing.TestImages;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Faults in the middle of work, on the whole stack as {@code ./booth up} runs it: a worker killed with SIGKILL
 * while it works, and the broker and S3 server lost together for 30 s. Every job ends (completed, or failed with a
 * reason), no image is stored twice, and the services stay up; the gateway killed under load loses and duplicates no
 * request. (The gateway killed alone mid-flow: StackIT; the trainer: WorkersIT.)
 */
class FaultIT {

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED", "READY", "REJECTED");

    @TempDir
    static Path data;

    private static Stack stack;
    private static String apiKey;

    @BeforeAll
    static void start() throws Exception {
        StackSettings settings = StackSettings.ephemeral(BoothHome.root(), data);
        stack = new Stack(settings).start(line -> { });
        apiKey = new ApiKeyStore(settings.keysFile()).create("faults", "fault test", "unlimited").keyText();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
            StackLogs.keep(stack.settings(), FaultIT.class);
        }
    }

    @Test
    void aSamplerKilledMidRenderAnswersTheRequestAfterItsRestartWithEachImageOnce() throws Exception {
        String generationId = generate(8, 60); // two calls of booth.sampler.max-batch=4, each uploaded when done
        String prefix = Buckets.generationPrefix("faults", generationId);
        killMidJob(Service.SAMPLER, Buckets.GENERATIONS, prefix, 8);

        JsonPath view = awaitEnd("/api/v1/generations/" + generationId);
        assertEquals("COMPLETED", view.getString("status"), view.prettify());
        assertEquals(8, view.getList("images").size());
        assertEquals(8, pngs(Buckets.GENERATIONS, prefix), "each image stored once");
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    @Test
    void aDatasetServiceKilledMidIngestEndsTheDatasetReady() throws Exception {
        RequestSpecification upload = gateway().multiPart("instancePrompt", "a photo of sks dog")
                .multiPart("dropNearDuplicates", "false"); // the test photos differ in size only
        for (int i = 0; i < 12; i++) {
            upload.multiPart("images", "dog-" + i + ".png", TestImages.png(1536 + 8 * i, 1536), "image/png");
        }
        String datasetId = upload.post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
        killMidJob(Service.DATASET, Buckets.DATASETS, Buckets.datasetProcessedPrefix("faults", datasetId, 1), 12);

        JsonPath view = awaitEnd("/api/v1/datasets/" + datasetId);
        assertEquals("READY", view.getString("status"), view.prettify());
        assertEquals(12, view.getList("images").size());
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    @Test
    void jobsInFlightWhenTheBrokerAndS3AreLostForThirtySecondsEndAndTheStackWorksAfterwards() throws Exception {
        String generationId = generate(4, 40);
        RequestSpecification upload = gateway().multiPart("instancePrompt", "a photo of sks cat")
                .multiPart("dropNearDuplicates", "false");
        for (int i = 0; i < 6; i++) {
            upload.multiPart("images", "cat-" + i + ".png", TestImages.png(1024, 1024 + 8 * i), "image/png");
        }
        String datasetId = upload.post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");

        stack.outage(Duration.ofSeconds(30));

        for (String path : List.of("/api/v1/generations/" + generationId, "/api/v1/datasets/" + datasetId)) {
            JsonPath view = awaitEnd(path);
            System.out.println("after a 30 s outage of broker and S3: " + path + " " + view.getString("status"));
            if (Set.of("FAILED", "REJECTED").contains(view.getString("status"))) {
                assertNotNull(view.get("failure.code") != null ? view.get("failure.code") : view.get("problems[0]"),
                        "a failed job says why: " + view.prettify());
            }
        }
        JsonPath generation = awaitEnd("/api/v1/generations/" + generationId);
        // the sampler waits for S3 (booth.sampler.outage-wait, 3 min) rather than failing the generation
        assertEquals("COMPLETED", generation.getString("status"), generation.prettify());
        assertEquals(4, pngs(Buckets.GENERATIONS, Buckets.generationPrefix("faults", generationId)));
        JsonPath after = awaitEnd("/api/v1/generations/" + generate(1, 2));
        assertEquals("COMPLETED", after.getString("status"), "a request after the outage: " + after.prettify());
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    @Test
    void aTrainingInFlightWhenTheBrokerAndS3AreLostForThirtySecondsCompletesWithItsAdapter() throws Exception {
        RequestSpecification upload = gateway().multiPart("instancePrompt", "a photo of sks owl")
                .multiPart("dropNearDuplicates", "false");
        for (int i = 0; i < 2; i++) {
            upload.multiPart("images", "owl-" + i + ".png", TestImages.png(512, 512 + 8 * i), "image/png");
        }
        String datasetId = upload.post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
        assertEquals("READY", awaitEnd("/api/v1/datasets/" + datasetId).getString("status"));
        String trainingId = gateway().contentType(ContentType.JSON)
                .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"owl\","
                        + "\"priorPreservation\":false,\"resolution\":64,\"maxTrainSteps\":300,\"rank\":2,"
                        + "\"checkpointInterval\":50}")
                .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!"RUNNING".equals(gateway().get("/api/v1/trainings/" + trainingId).then().extract().path("status"))
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }

        Integer before = gateway().get("/api/v1/trainings/" + trainingId).then().extract().path("progress.step");
        stack.outage(Duration.ofSeconds(30));

        JsonPath view = awaitEnd("/api/v1/trainings/" + trainingId);
        System.out.println("training at step " + before + " when broker and S3 went away: " + view.getString("status"));
        // the trainer waits for S3 (booth.trainer.outage-wait, 5 min) and resumes from its newest checkpoint
        assertEquals("COMPLETED", view.getString("status"), view.prettify());
        assertTrue(before == null || before < 300, "the outage began mid-training, at step " + before);
        assertEquals(300, view.getInt("result.steps"));
        assertTrue(s3().statObject(StatObjectArgs.builder().bucket(Buckets.ADAPTERS)
                .object(view.getString("result.adapterKey")).build()).size() > 0, "the adapter is stored");
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    @Test
    void aDatasetWhoseWritesTheBrokerAndS3OutageCutsShortEndsReadyWithEachImageOnce() throws Exception {
        RequestSpecification upload = gateway().multiPart("instancePrompt", "a photo of sks fox")
                .multiPart("dropNearDuplicates", "false");
        for (int i = 0; i < 12; i++) {
            upload.multiPart("images", "fox-" + i + ".png", TestImages.png(1536, 1536 + 8 * i), "image/png");
        }
        String datasetId = upload.post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
        String prefix = Buckets.datasetProcessedPrefix("faults", datasetId, 1);
        int stored = awaitFirst(Buckets.DATASETS, prefix); // dataset-service is writing its training images

        stack.outage(Duration.ofSeconds(30));

        assertTrue(stored < 12, "the outage began mid-write: " + stored + " of 12 images stored");
        JsonPath view = awaitEnd("/api/v1/datasets/" + datasetId);
        assertEquals("READY", view.getString("status"), view.prettify());
        assertEquals(12, view.getList("images").size());
        assertEquals(12, pngs(Buckets.DATASETS, prefix), "each image stored once");
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    /**
     * The gateway killed (SIGKILL) while generation requests pour in from several clients: each client sends its
     * request until it is answered, again with the same Idempotency-Key when the connection was refused or cut or the
     * restarted gateway answered 503 (still reading the job history). Then every key names one generation, which
     * completes with its image stored once: none lost, none started twice.
     */
    @Test
    void aGatewayKilledUnderLoadLosesNoRequestAndStartsNoneTwice() throws Exception {
        String owner = "faults-gateway";
        String key = new ApiKeyStore(stack.settings().keysFile()).create(owner, "gateway kill", "unlimited").keyText();
        int requests = 24;
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        List<Future<String>> ids = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String idempotencyKey = "kill-" + i;
            String body = "{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog, request " + i
                    + "\",\"steps\":2,\"count\":1,\"seed\":" + i + "}";
            ids.add(clients.submit(() -> sendUntilAnswered(key, idempotencyKey, body, accepted)));
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (accepted.get() < requests / 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int before = accepted.get();
        stack.kill(Service.GATEWAY);
        assertTrue(before < requests, "the gateway was killed under load: " + before + " of " + requests + " answered");
        stack.restart(Service.GATEWAY);
        List<String> generationIds = new ArrayList<>();
        for (Future<String> id : ids) {
            generationIds.add(id.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        clients.shutdown();

        assertEquals(requests, Set.copyOf(generationIds).size(), "one generation per Idempotency-Key");
        for (String generationId : generationIds) {
            JsonPath view = awaitEnd(key, "/api/v1/generations/" + generationId);
            assertEquals("COMPLETED", view.getString("status"), view.prettify());
            assertEquals(1, pngs(Buckets.GENERATIONS, Buckets.generationPrefix(owner, generationId)),
                    "the image of " + generationId + " stored once");
        }
        JsonPath all = given().baseUri(stack.url(Service.GATEWAY).toString()).header("Authorization", "Bearer " + key)
                .get("/api/v1/generations").then().statusCode(200).extract().jsonPath();
        assertEquals(requests, all.getInt("total"), "no generation besides the requested ones");
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    /** POSTs until the gateway answers 202 or 200 (the job this Idempotency-Key started); answers the job's id. */
    private static String sendUntilAnswered(String key, String idempotencyKey, String body, AtomicInteger accepted)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            try {
                var response = given().baseUri(stack.url(Service.GATEWAY).toString())
                        .header("Authorization", "Bearer " + key).header("Idempotency-Key", idempotencyKey)
                        .contentType(ContentType.JSON).body(body).post("/api/v1/generations");
                if (response.statusCode() == 202 || response.statusCode() == 200) {
                    accepted.incrementAndGet();
                    return response.path("generationId");
                }
                assertEquals(503, response.statusCode(), "only a restarting gateway may refuse: "
                        + response.asString());
                seen.add("503");
            } catch (Exception e) { // refused or cut (RestAssured rethrows IOExceptions unchecked): the gateway is down
                seen.add(e.getClass().getSimpleName());
            }
            Thread.sleep(250);
        }
        return fail(idempotencyKey + " was never answered; last " + seen.subList(Math.max(0, seen.size() - 5),
                seen.size()));
    }

    private static String generate(int count, int steps) {
        return gateway().contentType(ContentType.JSON)
                .body("{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog\",\"steps\":" + steps
                        + ",\"count\":" + count + ",\"seed\":7}")
                .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
    }

    /** Polls a job until it ended; fails after {@link #WAIT}. A gateway that cannot answer yet is waited out. */
    private static JsonPath awaitEnd(String path) throws InterruptedException {
        return awaitEnd(apiKey, path);
    }

    private static JsonPath awaitEnd(String key, String path) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            try {
                var response = given().baseUri(stack.url(Service.GATEWAY).toString())
                        .header("Authorization", "Bearer " + key).get(path);
                if (response.statusCode() == 200) {
                    JsonPath view = response.jsonPath();
                    if (ENDED.contains(view.getString("status"))) {
                        return view;
                    }
                    seen.add(view.getString("status"));
                } else {
                    seen.add(String.valueOf(response.statusCode()));
                }
            } catch (RuntimeException e) {
                seen.add(e.toString());
            }
            Thread.sleep(500);
        }
        fail(path + " did not end within " + WAIT + "; last answers " + seen.subList(Math.max(0, seen.size() - 5),
                seen.size()));
        return null;
    }

    /**
     * Kills {@code service} with SIGKILL as soon as the first of a job's {@code total} PNGs appears under
     * {@code prefix} (so it dies mid-job, which is asserted), then starts it again.
     */
    private static void killMidJob(Service service, String bucket, String prefix, int total) throws Exception {
        int stored = awaitFirst(bucket, prefix);
        stack.kill(service);
        assertTrue(stored < total, service + " killed mid-job: " + stored + " of " + total + " images stored");
        stack.restart(service);
    }

    /** Waits until a PNG appears under {@code prefix}; answers how many there are then. */
    private static int awaitFirst(String bucket, String prefix) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            int count = pngs(bucket, prefix);
            if (count > 0) {
                return count;
            }
            Thread.sleep(50);
        }
        return fail("nothing appeared under " + bucket + "/" + prefix + " within " + WAIT);
    }

    private static MinioClient s3() {
        return MinioClient.builder().endpoint(stack.infra().s3Endpoint()).region("us-east-1")
                .credentials(stack.infra().settings().accessKey(), stack.infra().settings().secretKey()).build();
    }

    private static int pngs(String bucket, String prefix) throws Exception {
        int count = 0;
        for (Result<Item> item : s3().listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                .recursive(true).build())) {
            if (item.get().objectName().endsWith(".png")) {
                count++;
            }
        }
        return count;
    }

    private static RequestSpecification gateway() {
        return given().baseUri(stack.url(Service.GATEWAY).toString()).header("Authorization", "Bearer " + apiKey);
    }
}
