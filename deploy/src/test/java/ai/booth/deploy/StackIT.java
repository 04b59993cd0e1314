package ai.booth.deploy;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.LoraRef;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingRequested;
import ai.booth.infra.BoothHome;
import ai.booth.infra.Loopback;
import ai.booth.keys.ApiKeyStore;
import ai.booth.service.DeadLetters;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import com.sun.net.httpserver.HttpServer;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole stack as {@code ./booth up} runs it: real broker, real S3 server, four service jars as processes. One
 * upload goes gateway → S3 → Kafka → dataset-service → S3 → Kafka → gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path data;

    private static StackSettings settings;
    private static Stack stack;
    private static final List<String> status = new ArrayList<>();

    private static String apiKey;

    @BeforeAll
    static void start() throws Exception {
        settings = StackSettings.ephemeral(BoothHome.root(), data);
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
        StackLogs.keep(stack.settings(), StackIT.class);
        for (ProcessHandle process : processes) {
            process.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(process.isAlive(), "process " + process.pid() + " survived the stack");
        }
    }

    @Test
    void everyServiceIsReadyWithKafkaAndS3() {
        assertEquals(2 + Service.values().length, status.size(), status.toString());
        for (Service service : Service.values()) {
            given().baseUri(stack.operationsUrl(service).toString()).get("/q/health/ready").then()
                    .statusCode(200)
                    .body("status", is("UP"))
                    .body("checks.find { it.name == 'kafka' }.status", is("UP"))
                    .body("checks.find { it.name == 's3' }.status", is("UP"));
        }
    }

    /**
     * Hostile or broken producers: on every topic a record that is not JSON, one of a schema version from the
     * future, one of 900 KB and a well-formed generation result that does not belong there (forged through a topic
     * its producer may write). Every consumer of the topic dead-letters each with the reason and where it came from,
     * the forgery changes no view, no service stops or turns unready, and the stack still renders and ingests.
     */
    @Test
    void hostileRecordsOnEveryTopicAreDeadLetteredWithTheirReasonAndTheStackWorksOn() throws Exception {
        Map<String, String> topicOfKey = new HashMap<>();
        String forged = UUID.randomUUID().toString();
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            for (String topic : Topics.ALL.stream().filter(t -> !t.equals(Topics.DEAD_LETTER)).toList()) {
                Map<String, byte[]> bad = new LinkedHashMap<>();
                bad.put("not-json", "\u0000{ not json".getBytes(StandardCharsets.UTF_8));
                bad.put("future-version", EventSerde.toJson(new Event<>(Event.SCHEMA_VERSION + 98, UUID.randomUUID(),
                        "GenerationFailed", "hostile", "e2e", Instant.now(),
                        new GenerationFailed("hostile", "X", "x"))));
                bad.put("huge", ("{\"junk\":\"" + "x".repeat(900_000) + "\"}").getBytes(StandardCharsets.UTF_8));
                if (!topic.equals(Topics.GENERATION_FAILED)) { // a well-formed result forged through another topic
                    bad.put("foreign-type", EventSerde.toJson(Event.of(forged, "e2e",
                            new GenerationFailed(forged, "FORGED", "published on " + topic))));
                }
                for (var record : bad.entrySet()) {
                    String key = "hostile-" + record.getKey() + "-" + topic + "-" + UUID.randomUUID();
                    probe.publishRaw(topic, key, record.getValue());
                    topicOfKey.put(key, topic);
                }
            }
            List<ConsumerRecord<String, byte[]>> letters = probe.deadLetters(topicOfKey.keySet(), WAIT);
            Set<String> lettered = new HashSet<>();
            for (ConsumerRecord<String, byte[]> letter : letters) {
                assertEquals(topicOfKey.get(letter.key()), header(letter, DeadLetters.ORIGINAL_TOPIC),
                        "where " + letter.key() + " came from");
                assertFalse(header(letter, DeadLetters.ERROR).isBlank(), "why " + letter.key() + " was refused");
                lettered.add(letter.key());
            }
            Set<String> lost = new HashSet<>(topicOfKey.keySet());
            lost.removeAll(lettered);
            assertTrue(lost.isEmpty(), "not dead-lettered: " + lost);
        }
        assertTrue(stack.exited().isEmpty(), "a service died");
        everyServiceIsReadyWithKafkaAndS3();
        gateway().get("/api/v1/generations/" + forged).then().statusCode(404);
        String generationId = gateway().contentType(ContentType.JSON)
                .body("{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog\",\"steps\":1}")
                .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
        awaitStatus("/api/v1/generations/" + generationId, "COMPLETED");
        String datasetId = gateway().multiPart("images", "rex.png", TestImages.png(640, 560), "image/png")
                .multiPart("instancePrompt", "a photo of sks dog").post("/api/v1/datasets")
                .then().statusCode(202).extract().path("datasetId");
        awaitStatus("/api/v1/datasets/" + datasetId, "READY");
    }

    /**
     * Events whose owner is not the owner of the objects they name: a generation with another owner's LoRA and a
     * training on another owner's dataset, both stored where the services store them. The workers read every key and
     * id under the event's owner, so each answers with a failure naming what is not the owner's, and the objects stay.
     */
    @Test
    void eventsNamingAnotherOwnersObjectsAreRefusedByTheWorkersThatReadThem() throws Exception {
        String victimLora = "victim/" + UUID.randomUUID() + "/pytorch_lora_weights.safetensors";
        put(Buckets.ADAPTERS, victimLora, Files.readAllBytes(BoothHome.root().resolve(
                "fixtures/sd-tiny/lora/peft.safetensors")));
        String victimDataset = UUID.randomUUID().toString();
        String image = Buckets.datasetProcessedKey("victim", victimDataset, 1, "00.png");
        put(Buckets.DATASETS, image, TestImages.png(64, 64));
        put(Buckets.DATASETS, Buckets.datasetReportKey("victim", victimDataset), ("{\"datasetId\":\"" + victimDataset
                + "\",\"version\":1,\"images\":[{\"processedKey\":\"" + image + "\",\"caption\":\"a photo of"
                + " sks dog\",\"captionSource\":\"instancePrompt\"}],\"rejected\":[],\"warnings\":[]}")
                .getBytes(StandardCharsets.UTF_8));

        String generationId = UUID.randomUUID().toString();
        String trainingId = UUID.randomUUID().toString();
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            probe.publish(Event.of(generationId, "mallory", new GenerationRequested(generationId, "sd-tiny",
                    "a photo of sks dog", null, 1, 7.5, 1, 1, 64, 64, "ddim", 0,
                    List.of(new LoraRef(victimLora, 1.0, 1.0)), null)));
            probe.publish(Event.of(trainingId, "mallory", new TrainingRequested(trainingId, "sd-tiny", victimDataset,
                    "sks", "dog", "a photo of sks dog", "a photo of dog", false, 1.0, 0, 64, 2, 1, 2, 2.0, 1e-4, 0,
                    "constant", 0, 1L, 0, 0, List.of())));

            GenerationFailed generation = probe.await(GenerationFailed.class, generationId, WAIT).payload();
            assertEquals("ADAPTER_NOT_FOUND", generation.code());
            assertTrue(generation.message().contains(victimLora) && generation.message().contains("mallory"),
                    generation.message());
            TrainingFailed training = probe.await(TrainingFailed.class, trainingId, WAIT).payload();
            assertEquals("DATASET_NOT_READY", training.code());
            assertTrue(training.message().contains("mallory"), training.message());
        }
        assertTrue(read(Buckets.ADAPTERS, victimLora).length > 0, "the victim's adapter stays");
        assertTrue(read(Buckets.DATASETS, Buckets.datasetReportKey("victim", victimDataset)).length > 0);
        assertTrue(stack.exited().isEmpty(), "a service died");
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
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

    /**
     * The acceptance, as a newcomer checks it: the committed world model is listed as {@code booth-world}, and
     * "a red circle on a blue background" at the report's sampling is a red circle on blue — read off the PNGs the
     * stack stored: most of each image's border is blue, a red blob is in it (three seeds of four at least).
     */
    @Test
    void theWorldModelIsListedAndDrawsARedCircleOnABlueBackground() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(BoothHome.root().resolve("models/booth-world/model_index.json")),
                "no world model in this checkout");
        gateway().get("/api/v1/models").then().statusCode(200)
                .body("find { it.id == 'booth-world' }.manifest.kind", is("folder"));
        int count = 4;
        String generationId = gateway().contentType(ContentType.JSON)
                .body("{\"baseModel\":\"booth-world\",\"prompt\":\"a red circle on a blue background\",\"steps\":20,"
                        + "\"guidanceScale\":5,\"scheduler\":\"dpmpp_2m_karras\",\"count\":" + count + ",\"seed\":1}")
                .post("/api/v1/generations")
                .then().statusCode(202).extract().path("generationId");
        awaitStatus("/api/v1/generations/" + generationId, "COMPLETED").body("images.size()", is(count));
        List<String> looks = new ArrayList<>();
        int right = 0;
        for (int i = 0; i < count; i++) {
            BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(read(Buckets.GENERATIONS,
                    Buckets.generationImageKey("e2e", generationId, i))));
            double blueBorder = share(image, true, StackIT::blue);
            double red = share(image, false, StackIT::red);
            looks.add(String.format(java.util.Locale.ROOT, "seed %d: border blue %.2f, red %.2f", 1 + i, blueBorder,
                    red));
            right += blueBorder > 0.6 && red > 0.03 ? 1 : 0;
        }
        assertTrue(right >= count - 1, "red circles on blue: " + looks);
    }

    private static boolean blue(int r, int g, int b) {
        return b > 100 && b > r + 50 && b > g + 20;
    }

    private static boolean red(int r, int g, int b) {
        return r > 120 && r > g + 70 && r > b + 70;
    }

    private interface Colour {
        boolean is(int r, int g, int b);
    }

    /** The share of pixels of a colour: in the outermost eighth of each side ({@code border}) or anywhere. */
    private static double share(BufferedImage image, boolean border, Colour colour) {
        int w = image.getWidth();
        int h = image.getHeight();
        int edge = w / 8;
        int seen = 0;
        int hits = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean inBorder = x < edge || y < edge || x >= w - edge || y >= h - edge;
                if (border && !inBorder) {
                    continue;
                }
                int rgb = image.getRGB(x, y);
                seen++;
                hits += colour.is(rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF) ? 1 : 0;
            }
        }
        return (double) hits / seen;
    }

    /**
     * Request and result topics keep their records forever (Topics.retentionMs) while Kafka's default is a week: a
     * generation requested and failed 8 days ago (record timestamps; the stack's broker checks retention every 2 s
     * and rolls a segment once a record is a week newer than its first) is still whole after the gateway rebuilt its
     * views. First test of the class, so the aged records start their partitions' segments, as they would on a
     * cluster that ran a week.
     */
    @Test
    @Order(1)
    void aJobThatEndedEightDaysAgoIsStillShownWholeAfterAGatewayRestart() throws Exception {
        Instant eightDaysAgo = Instant.now().minus(Duration.ofDays(8));
        String generationId = UUID.randomUUID().toString();
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            probe.publishAt(aged(generationId, new GenerationFailed(generationId, "MODEL_NOT_FOUND",
                    "no model 'retired'"), eightDaysAgo), eightDaysAgo);
            probe.publishAt(aged(generationId, new GenerationRequested(generationId, "retired",
                    "a photo of sks dog a week ago", null, 20, 7.5, 1, 1, 512, 512, "ddim", 0, List.of(), null),
                    eightDaysAgo), eightDaysAgo);
        }
        awaitStatus("/api/v1/generations/" + generationId, "FAILED");
        Thread.sleep(3 * 2000); // more than one retention check of the broker

        stack.kill(Service.GATEWAY);
        stack.restart(Service.GATEWAY);

        var view = gateway().get("/api/v1/generations/" + generationId).then().statusCode(200)
                .body("status", is("FAILED"))
                .body("failure.code", is("MODEL_NOT_FOUND"))
                .body("request.prompt", is("a photo of sks dog a week ago"))
                .extract().jsonPath();
        assertTrue(Instant.parse(view.getString("createdAt")).isBefore(Instant.now().minus(Duration.ofDays(7))),
                "created 8 days ago: " + view.getString("createdAt"));
    }

    /**
     * A restarted gateway answers only once its views have replayed every topic to where it ended at start
     * (ViewsReadinessCheck): with thousands of jobs behind it, the first answer after "ready" already lists them all,
     * and an Idempotency-Key used before the restart finds its job.
     */
    @Test
    void aRestartedGatewayIsReadyOnlyOnceItShowsEveryJobAndReplaysItsIdempotencyKeys() throws Exception {
        int jobs = 20_000;
        List<Event<TrainingCompleted>> events = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            String trainingId = UUID.randomUUID().toString();
            events.add(Event.of(trainingId, "e2e-many", new TrainingCompleted(trainingId,
                    "adapters/e2e-many/" + trainingId + "/adapter.safetensors", 1, 0.1, 1, List.of(), List.of())));
        }
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            probe.publishAll(events);
        }
        String many = new ApiKeyStore(settings.keysFile()).create("e2e-many", "restart test", "standard")
                .keyText();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (total(many) < jobs && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(jobs, total(many), "the running gateway shows every job");
        String body = "{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog\",\"steps\":1,\"seed\":3}";
        String generationId = gateway().header("Idempotency-Key", "restart-1").contentType(ContentType.JSON)
                .body(body).post("/api/v1/generations").then().statusCode(202).extract().path("generationId");

        stack.kill(Service.GATEWAY);
        stack.restart(Service.GATEWAY);

        assertEquals(jobs, total(many), "the first answer after the restarted gateway said it was ready");
        gateway().header("Idempotency-Key", "restart-1").contentType(ContentType.JSON).body(body)
                .post("/api/v1/generations").then().statusCode(200)
                .header("Idempotent-Replayed", "true")
                .body("generationId", is(generationId));
    }

    /**
     * Webhooks are delivered at least once: a gateway killed while retrying a callback (the receiver answered 500
     * three times) delivers it after its restart, same delivery id, once the receiver accepts.
     */
    @Test
    void aWebhookCutShortByAGatewayCrashIsDeliveredAfterTheRestart() throws Exception {
        Map<String, String> allowLoopback = Map.of("BOOTH_GATEWAY_WEBHOOKS_ALLOW", "127.0.0.1/32");
        AtomicBoolean accepting = new AtomicBoolean(false);
        BlockingQueue<String[]> deliveries = new LinkedBlockingQueue<>(); // {delivery id, status}
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            int status = accepting.get() ? 204 : 500;
            deliveries.add(new String[]{exchange.getRequestHeaders().getFirst("X-Booth-Delivery"),
                    String.valueOf(status)});
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        try {
            stack.kill(Service.GATEWAY);
            stack.restart(Service.GATEWAY, allowLoopback);
            String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog\",\"steps\":1,"
                            + "\"callbackUrl\":\"" + callback + "\"}")
                    .post("/api/v1/generations").then().statusCode(202);
            List<String> refused = new ArrayList<>();
            for (int attempt = 0; attempt < 3; attempt++) { // attempts at 0, 2 and 6 s: offsets would be committed
                String[] delivery = deliveries.poll(60, TimeUnit.SECONDS);
                assertTrue(delivery != null && delivery[1].equals("500"), "attempt " + (attempt + 1) + " refused");
                refused.add(delivery[0]);
            }
            assertEquals(1, Set.copyOf(refused).size(), "one event, retried: " + refused);

            stack.kill(Service.GATEWAY);
            accepting.set(true);
            stack.restart(Service.GATEWAY, allowLoopback);

            String[] delivered = deliveries.poll(60, TimeUnit.SECONDS);
            assertTrue(delivered != null && delivered[1].equals("204"), "delivered after the restart");
            assertEquals(refused.get(0), delivered[0], "the same event (X-Booth-Delivery)");
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * The launcher binds every service to loopback (BOOTH_GATEWAY_HOST opens the gateway only): from this machine's
     * own network address no port of the stack answers, from 127.0.0.1 each does.
     */
    @Test
    void everyServiceOfTheLocalStackListensOnLoopbackOnly() throws Exception {
        InetAddress external = java.util.Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        assumeTrue(external != null, "this machine has no network address besides loopback");
        List<Integer> ports = new ArrayList<>(settings.servicePorts().values());
        ports.add(settings.gatewayManagementPort());
        for (int port : ports) {
            try (Socket local = new Socket()) {
                local.connect(new InetSocketAddress(Loopback.ADDRESS, port), 2000);
            }
            assertThrows(IOException.class, () -> {
                try (Socket outside = new Socket()) {
                    outside.connect(new InetSocketAddress(external, port), 2000);
                }
            }, "port " + port + " must not answer on " + external);
        }
    }

    /** A GPU requested on a node (or image) without one stops a worker at start with the reason, not at a job. */
    @Test
    void aWorkerAskedForAGpuOnANodeWithoutOneStopsAtStartAndSaysWhy() throws Exception {
        for (Service worker : List.of(Service.SAMPLER, Service.TRAINER)) {
            stack.kill(worker);
            try {
                IOException refused = assertThrows(IOException.class,
                        () -> stack.restart(worker, Map.of("BOOTH_ENGINE_DEVICE", "gpu")));
                assertTrue(refused.getMessage().contains(worker.module() + " exited with"), refused.getMessage());
                String log = Files.readString(settings.logFile(worker.module()));
                assertTrue(log.contains("booth.engine.device=gpu") && log.contains("PyTorch sees 0 CUDA GPU(s)"),
                        worker.module() + " logs why it stopped");
            } finally {
                stack.restart(worker);
            }
        }
    }

    private static <P extends ai.booth.contracts.Payload> Event<P> aged(String id, P payload, Instant at) {
        return new Event<>(Event.SCHEMA_VERSION, UUID.randomUUID(), payload.getClass().getSimpleName(), id, "e2e", at,
                payload);
    }

    private static int total(String key) {
        return given().baseUri(stack.url(Service.GATEWAY).toString()).header("Authorization", "Bearer " + key)
                .get("/api/v1/trainings?limit=1").then().statusCode(200).extract().path("total");
    }

    /**
     * Polls a gateway resource until its status is {@code expected}; returns the last answer for more checks. A 404
     * is waited out too: a job published straight to Kafka is shown once the gateway's view consumed it.
     */
    private static ValidatableResponse awaitStatus(String path, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ValidatableResponse response = gateway().get(path).then();
            boolean late = System.nanoTime() > deadline;
            int status = response.extract().statusCode();
            if (status == 404 && !late) {
                Thread.sleep(200);
                continue;
            }
            response.statusCode(200);
            if (expected.equals(response.extract().path("status")) || late) {
                return response.body("status", is(expected));
            }
            Thread.sleep(200);
        }
    }

    /** A request to the gateway with owner e2e's API key. */
    private static RequestSpecification gateway() {
        return given().baseUri(stack.url(Service.GATEWAY).toString()).header("Authorization", "Bearer " + apiKey);
    }

    private static MinioClient s3() {
        return MinioClient.builder().endpoint(stack.infra().s3Endpoint()).region("us-east-1")
                .credentials(stack.infra().settings().accessKey(), stack.infra().settings().secretKey()).build();
    }

    private static byte[] read(String bucket, String key) throws Exception {
        try (InputStream in = s3().getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }

    private static void put(String bucket, String key, byte[] bytes) throws Exception {
        s3().putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new java.io.ByteArrayInputStream(bytes), bytes.length, -1).build());
    }
}
