package ai.booth.deploy;

import ai.booth.contracts.Buckets;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Faults in the middle of work, on the whole stack as {@code ./booth up} runs it: a worker killed with SIGKILL
 * while it works, the broker and S3 server lost together for 30 s, and the broker lost alone for 25 s while S3 serves
 * on. Every job completes, no image is stored twice, and the services stay up; the gateway killed under load loses
 * and duplicates no request. (The gateway killed alone mid-flow: StackIT; the trainer: WorkersIT.)
 */
@ExtendWith(SharedStack.class)
class FaultIT {

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED", "READY", "REJECTED");

    private static Stack stack;
    private static String apiKey;

    @BeforeAll
    static void start() throws Exception {
        stack = SharedStack.stack();
        apiKey = new ApiKeyStore(stack.settings().keysFile()).create("faults", "fault test", "unlimited").keyText();
    }


    @Test
    void aSamplerKilledMidRenderAnswersTheRequestAfterItsRestartWithEachImageOnce() throws Exception {
        String generationId = generate(8, 30); // two calls of booth.sampler.max-batch=4, each uploaded when done
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
        String datasetId = upload("dog", 12, 1536, 1536);
        killMidJob(Service.DATASET, Buckets.DATASETS, Buckets.datasetProcessedPrefix("faults", datasetId, 1), 12);

        JsonPath view = awaitEnd("/api/v1/datasets/" + datasetId);
        assertEquals("READY", view.getString("status"), view.prettify());
        assertEquals(12, view.getList("images").size());
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    /**
     * One 30 s outage of broker and S3 meets a training mid-run, a generation and a dataset mid-write at once (one
     * outage for the three: each costs half a minute and the services' reconnection).
     */
    @Test
    void jobsInFlightWhenTheBrokerAndS3AreLostForThirtySecondsEndWithEachOutputOnceAndTheStackWorksAfterwards()
            throws Exception {
        String owlSet = upload("owl", 2, 512, 512);
        assertEquals("READY", awaitEnd("/api/v1/datasets/" + owlSet).getString("status"));
        String trainingId = gateway().contentType(ContentType.JSON)
                .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + owlSet + "\",\"classNoun\":\"owl\","
                        + "\"priorPreservation\":false,\"resolution\":64,\"maxTrainSteps\":300,\"rank\":2,"
                        + "\"checkpointInterval\":50}")
                .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!"RUNNING".equals(gateway().get("/api/v1/trainings/" + trainingId).then().extract().path("status"))
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        String generationId = generate(2, 20); // only has to be in flight
        String foxSet = upload("fox", 12, 1536, 1536);
        String foxPrefix = Buckets.datasetProcessedPrefix("faults", foxSet, 1);
        int stored = awaitFirst(Buckets.DATASETS, foxPrefix); // dataset-service is writing its training images
        JsonPath training = gateway().get("/api/v1/trainings/" + trainingId).then().extract().jsonPath();

        stack.outage(Duration.ofSeconds(30));

        assertTrue(stored < 12, "the outage began mid-write: " + stored + " of 12 images stored");
        assertEquals("RUNNING", training.getString("status"), "the outage began mid-training: " + training.prettify());
        System.out.println("training at step " + training.get("progress.step") + " when broker and S3 went away");

        JsonPath trained = awaitEnd("/api/v1/trainings/" + trainingId);
        // the trainer waits for S3 (booth.trainer.outage-wait, 5 min) and resumes from its newest checkpoint
        assertEquals("COMPLETED", trained.getString("status"), trained.prettify());
        assertEquals(300, trained.getInt("result.steps"));
        assertTrue(s3().statObject(StatObjectArgs.builder().bucket(Buckets.ADAPTERS)
                .object(trained.getString("result.adapterKey")).build()).size() > 0, "the adapter is stored");

        JsonPath generation = awaitEnd("/api/v1/generations/" + generationId);
        // the sampler waits for S3 (booth.sampler.outage-wait, 3 min) rather than failing the generation
        assertEquals("COMPLETED", generation.getString("status"), generation.prettify());
        assertEquals(2, pngs(Buckets.GENERATIONS, Buckets.generationPrefix("faults", generationId)));

        JsonPath dataset = awaitEnd("/api/v1/datasets/" + foxSet);
        assertEquals("READY", dataset.getString("status"), dataset.prettify());
        assertEquals(12, dataset.getList("images").size());
        assertEquals(12, pngs(Buckets.DATASETS, foxPrefix), "each image stored once");

        JsonPath after = awaitEnd("/api/v1/generations/" + generate(1, 2));
        assertEquals("COMPLETED", after.getString("status"), "a request after the outage: " + after.prettify());
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    /**
     * The broker lost alone for 25 s (S3 serves on) from the first of a generation's two batches on: the sampler
     * stores the second batch meanwhile, and its completion, sent while the broker is away, is published once it is
     * back and answers the request.
     */
    @Test
    void aGenerationFinishingWhileOnlyTheBrokerIsDownIsAnsweredOnceItIsBack() throws Exception {
        String generationId = generate(8, 20); // two calls of booth.sampler.max-batch=4, each uploaded when done
        String prefix = Buckets.generationPrefix("faults", generationId);
        int stored = awaitFirst(Buckets.GENERATIONS, prefix);

        stack.brokerOutage(Duration.ofSeconds(25));

        assertTrue(stored < 8, "the broker went away mid-render: " + stored + " of 8 images stored");
        assertEquals(8, pngs(Buckets.GENERATIONS, prefix), "the render finished while the broker was away");
        JsonPath view = awaitEnd("/api/v1/generations/" + generationId);
        assertEquals("COMPLETED", view.getString("status"), view.prettify());
        assertEquals(8, view.getList("images").size());
        assertEquals(8, pngs(Buckets.GENERATIONS, prefix), "each image stored once");

        JsonPath after = awaitEnd("/api/v1/generations/" + generate(1, 2));
        assertEquals("COMPLETED", after.getString("status"), "a request after the outage: " + after.prettify());
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

    /** Uploads {@code count} photos of a {@code noun} (sizes differ by 8 px, so none is a near-duplicate). */
    private static String upload(String noun, int count, int width, int height) {
        RequestSpecification upload = gateway().multiPart("instancePrompt", "a photo of sks " + noun)
                .multiPart("dropNearDuplicates", "false");
        for (int i = 0; i < count; i++) {
            upload.multiPart("images", noun + "-" + i + ".png", TestImages.png(width, height + 8 * i), "image/png");
        }
        return upload.post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
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
