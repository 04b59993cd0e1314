package ai.booth.deploy;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.keys.ApiKeyStore;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load against the whole local stack (issue 20): concurrent generations from many keys, concurrent uploads with
 * hostile ones among them, many server-sent event subscribers. Scale from system properties (CI defaults small; the
 * full scale is {@code ./load}). Assertions are on correctness only — nothing lost, nothing duplicated, every request
 * answered, no 5xx, services alive; latencies and throughput are printed, never asserted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedStack.class)
class LoadIT {

    private static final int GENERATIONS = Integer.getInteger("booth.load.generations", 40);
    private static final int KEYS = Integer.getInteger("booth.load.keys", 8);
    private static final int UPLOADS = Integer.getInteger("booth.load.uploads", 10);
    private static final int SUBSCRIBERS = Integer.getInteger("booth.load.subscribers", 20);
    /** The gateway's default cap of server-sent event streams per API key (booth.gateway.max-streams-per-key). */
    private static final int STREAMS_PER_KEY = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static StackSettings settings;
    private static Stack stack;
    private static HttpClient http;
    private static final List<String> summaries = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        stack = SharedStack.stack();
        settings = stack.settings();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    static void summarise() {
        summaries.forEach(System.out::println);
    }

    /** N generations from K keys at once, each with an Idempotency-Key; each ends once with its images in S3. */
    @Test
    @Order(1)
    void concurrentGenerationsAreNeitherLostNorDuplicated() throws Exception {
        List<String> keys = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            owners.add("load-gen-" + k);
            keys.add(new ApiKeyStore(settings.keysFile()).create(owners.get(k), "load test", "standard").keyText());
        }
        // one generation first, not counted: the gateway's first request of a model loads its tokenizer, the
        // sampler's first loads the model; the figures below are of a warm stack, the cold start printed beside them
        long coldStart = System.nanoTime();
        HttpResponse<String> warm = http.send(generationRequest(keys.get(0), -1), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, warm.statusCode(), warm.body());
        long coldPost = System.nanoTime() - coldStart;
        String warmId = JSON.readTree(warm.body()).path("generationId").asText();
        assertEquals("COMPLETED", awaitEnd(keys.get(0), "/api/v1/generations/" + warmId, Duration.ofMinutes(3))
                .path("status").asText());
        long coldEnded = System.nanoTime() - coldStart;
        record Answer(int index, int status, String generationId, String retryAfter, String body, long nanos,
                      long sentAt) {
        }
        ExecutorService pool = Executors.newFixedThreadPool(GENERATIONS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < GENERATIONS; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                go.await();
                long sent = System.nanoTime();
                HttpResponse<String> response = http.send(generationRequest(keys.get(index % KEYS), index),
                        HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - sent;
                String id = response.statusCode() == 202 ? JSON.readTree(response.body()).path("generationId")
                        .asText() : null;
                return new Answer(index, response.statusCode(), id,
                        response.headers().firstValue("Retry-After").orElse(null), response.body(), took, sent);
            }));
        }
        long started = System.nanoTime();
        go.countDown();
        List<Answer> answers = new ArrayList<>();
        for (Future<Answer> future : futures) {
            answers.add(future.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();

        List<Answer> accepted = answers.stream().filter(a -> a.status() == 202).toList();
        List<Answer> limited = answers.stream().filter(a -> a.status() == 429).toList();
        for (Answer answer : answers) {
            assertTrue(answer.status() == 202 || answer.status() == 429,
                    "request " + answer.index() + " answered " + answer.status() + ": " + answer.body());
        }
        for (Answer answer : limited) {
            assertTrue(answer.retryAfter() != null && answer.body().contains("\"status\":429"),
                    "a 429 is a problem with Retry-After: " + answer.body());
        }
        assertEquals(accepted.size(), accepted.stream().map(Answer::generationId).distinct().count(),
                "one generation per Idempotency-Key");

        // poll the gateway until every accepted generation has ended
        Map<String, Long> endedAt = new HashMap<>();
        Map<String, JsonNode> views = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(Math.max(180, GENERATIONS * 4L)).toNanos();
        while (endedAt.size() < accepted.size() && System.nanoTime() < deadline) {
            for (Answer answer : accepted) {
                if (endedAt.containsKey(answer.generationId())) {
                    continue;
                }
                HttpResponse<String> response = http.send(get("/api/v1/generations/" + answer.generationId(),
                        keys.get(answer.index() % KEYS)), HttpResponse.BodyHandlers.ofString());
                assertTrue(response.statusCode() < 500, "GET answered " + response.statusCode());
                if (response.statusCode() != 200) {
                    continue;
                }
                JsonNode view = JSON.readTree(response.body());
                String status = view.path("status").asText();
                if (status.equals("COMPLETED") || status.equals("FAILED")) {
                    endedAt.put(answer.generationId(), System.nanoTime());
                    views.put(answer.generationId(), view);
                }
            }
            Thread.sleep(250);
        }
        long wall = System.nanoTime() - started;
        assertEquals(accepted.size(), endedAt.size(), "every accepted generation ended (none lost)");

        MinioClient s3 = s3();
        int completed = 0;
        int failed = 0;
        int images = 0;
        for (Answer answer : accepted) {
            JsonNode view = views.get(answer.generationId());
            String owner = owners.get(answer.index() % KEYS);
            int stored = pngs(s3, Buckets.generationPrefix(owner, answer.generationId()));
            if (view.path("status").asText().equals("COMPLETED")) {
                completed++;
                images += stored;
                assertEquals(count(answer.index()), stored, "images of " + answer.generationId() + " in S3");
                assertEquals(count(answer.index()), view.path("images").size(), "images of the view");
            } else {
                failed++;
                assertTrue(!view.path("failure").path("code").asText().isEmpty(),
                        "a failed generation says why: " + view);
            }
        }

        // the same Idempotency-Key again: the same generation, nothing new
        for (Answer answer : accepted.subList(0, Math.min(KEYS, accepted.size()))) {
            HttpResponse<String> again = http.send(generationRequest(keys.get(answer.index() % KEYS),
                    answer.index()), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(answer.generationId(), JSON.readTree(again.body()).path("generationId").asText());
        }
        assertTrue(stack.exited().isEmpty(), "a service died during the load: " + stack.exited());

        List<Long> post = accepted.stream().map(a -> a.nanos()).sorted().toList();
        List<Long> done = accepted.stream().map(a -> endedAt.get(a.generationId()) - a.sentAt()).sorted().toList();
        String summary = String.format("LOAD generations: requests=%d keys=%d accepted=%d 429=%d completed=%d "
                        + "failed=%d lost=0 duplicated=0 5xx=0 images=%d | POST p50=%dms p99=%dms | request->ended "
                        + "p50=%.1fs p99=%.1fs | wall=%.1fs throughput=%.1f images/min | cold first request: "
                        + "POST %dms, ended %.1fs",
                GENERATIONS, KEYS, accepted.size(), limited.size(), completed, failed, images,
                millis(percentile(post, 50)), millis(percentile(post, 99)),
                percentile(done, 50) / 1e9, percentile(done, 99) / 1e9, wall / 1e9, images / (wall / 6e10),
                millis(coldPost), coldEnded / 1e9);
        System.out.println(summary);
        summaries.add(summary);
    }

    /**
     * U uploads at once, some hostile: good ones end READY, hostile ones 4xx at once or REJECTED with a reason (the
     * photo under a 5000-character quoted filename may also end READY under a bounded name); no 5xx, services alive.
     */
    @Test
    @Order(2)
    void concurrentUploadsWithHostileOnesAmongThem() throws Exception {
        // spread over keys, 10 uploads each: a standard key's burst is 20 calls that start work
        int uploaders = Math.max(1, (UPLOADS + 9) / 10);
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < uploaders; k++) {
            keys.add(new ApiKeyStore(settings.keysFile()).create("load-up-" + k, "load test", "standard").keyText());
        }
        byte[] photo = TestImages.png(640, 560);
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
            int hostile = i < 4 ? i : i % 10 == 9 ? (i / 10) % 4 : -1;
            kinds.add(switch (hostile) {
                case 0 -> "zip-traversal";
                case 1 -> "garbage-png";
                case 2 -> "long-field";
                case 3 -> "empty";
                default -> "good";
            });
        }
        record Upload(String key, String kind, int status, String body, String retryAfter, long nanos) {
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(UPLOADS, 50));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Upload>> futures = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
            String kind = kinds.get(i);
            String key = keys.get(i % uploaders);
            futures.add(pool.submit(() -> {
                go.await();
                long sent = System.nanoTime();
                HttpResponse<String> response = http.send(upload(key, kind, photo),
                        HttpResponse.BodyHandlers.ofString());
                return new Upload(key, kind, response.statusCode(), response.body(),
                        response.headers().firstValue("Retry-After").orElse(null), System.nanoTime() - sent);
            }));
        }
        long started = System.nanoTime();
        go.countDown();
        List<Upload> uploads = new ArrayList<>();
        for (Future<Upload> future : futures) {
            uploads.add(future.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();

        int ready = 0;
        int rejected = 0;
        int refused = 0;
        int limited = 0;
        Map<String, List<String>> outcomes = new java.util.TreeMap<>();
        for (Upload upload : uploads) {
            if (!upload.kind().equals("good")) {
                outcomes.computeIfAbsent(upload.kind(), k -> new ArrayList<>()).add(String.valueOf(upload.status()));
            }
            assertTrue(upload.status() < 500, upload.kind() + " answered " + upload.status() + ": " + upload.body());
            if (upload.status() == 429) { // a valid answer under load: a problem with Retry-After
                assertTrue(upload.retryAfter() != null && upload.body().contains("\"status\":429"), upload.body());
                limited++;
                continue;
            }
            if (upload.kind().equals("good")) {
                assertEquals(202, upload.status(), upload.body());
            }
            if (upload.status() != 202) {
                assertTrue(upload.status() >= 400, upload.kind() + " answered " + upload.status());
                refused++;
                continue;
            }
            String datasetId = JSON.readTree(upload.body()).path("datasetId").asText();
            JsonNode view = awaitEnd(upload.key(), "/api/v1/datasets/" + datasetId, Duration.ofSeconds(
                    Math.max(180, UPLOADS * 6L)));
            String status = view.path("status").asText();
            if (!upload.kind().equals("good")) {
                List<String> seen = outcomes.get(upload.kind());
                seen.set(seen.size() - 1, "202->" + status);
            }
            if (upload.kind().equals("good")) {
                assertEquals("READY", status, "a good upload: " + view);
                ready++;
            } else if (upload.kind().equals("long-field") && status.equals("READY")) {
                // the photo behind the 5000-character quoted filename is good: the parser survives the parameter
                // (it once threw StackOverflowError and leaked the spooled files) and keeps a bounded name
                String source = view.path("report").path("images").path(0).path("source").asText();
                assertTrue(!source.isEmpty() && source.length() < 1000, "the kept file name is bounded: " + source);
                ready++;
            } else {
                assertEquals("REJECTED", status, upload.kind() + ": " + view);
                assertTrue(view.path("problems").size() > 0, upload.kind() + " rejected with a reason: " + view);
                rejected++;
            }
        }
        long wall = System.nanoTime() - started;
        assertTrue(stack.exited().isEmpty(), "a service died during the uploads: " + stack.exited());
        List<Long> post = uploads.stream().map(Upload::nanos).sorted().toList();
        String summary = String.format("LOAD uploads: uploads=%d keys=%d good=%d hostile=%d | ready=%d "
                        + "rejected=%d refused-4xx=%d 429=%d 5xx=0 services-alive | hostile %s | POST p50=%dms "
                        + "p99=%dms | wall=%.1fs",
                UPLOADS, uploaders, kinds.stream().filter("good"::equals).count(),
                kinds.stream().filter(k -> !k.equals("good")).count(), ready, rejected, refused, limited, outcomes,
                millis(percentile(post, 50)), millis(percentile(post, 99)), wall / 1e9);
        System.out.println(summary);
        summaries.add(summary);
    }

    /**
     * S subscribers to trainings' event streams, spread over keys (the gateway allows 10 streams per key): each
     * receives the first state, every progress report and the end, then its stream closes. The trainings are
     * published straight to Kafka (the trainer is stopped so that it does not answer them first, and started again
     * afterwards for the classes that share the stack: it fails them at once, their datasets being made up).
     */
    @Test
    @Order(3)
    void manySubscribersFollowTrainingsToTheirEnd() throws Exception {
        stack.kill(Service.TRAINER);
        try {
            followTrainings();
        } finally {
            stack.restart(Service.TRAINER);
        }
    }

    private void followTrainings() throws Exception {
        int owners = Math.max(1, (SUBSCRIBERS + STREAMS_PER_KEY - 1) / STREAMS_PER_KEY);
        List<String> keys = new ArrayList<>();
        List<String> trainings = new ArrayList<>();
        int steps = 3;
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            for (int o = 0; o < owners; o++) {
                String owner = "load-sse-" + o;
                keys.add(new ApiKeyStore(settings.keysFile()).create(owner, "load test", "standard").keyText());
                String trainingId = UUID.randomUUID().toString();
                trainings.add(trainingId);
                probe.publish(Event.of(trainingId, owner, new TrainingRequested(trainingId, "sd-tiny",
                        UUID.randomUUID().toString(), "sks", "dog", "a photo of sks dog", "a photo of a dog", false,
                        1.0, 0, 512, steps * 100, 1, 4, 4, 1e-4, 0, "constant", 0, 1, 100, 100, List.of())));
            }
            for (int o = 0; o < owners; o++) {
                awaitStatus(keys.get(o), "/api/v1/trainings/" + trainings.get(o), "REQUESTED");
            }

            CountDownLatch connected = new CountDownLatch(SUBSCRIBERS);
            ExecutorService pool = Executors.newFixedThreadPool(SUBSCRIBERS);
            List<Future<List<JsonNode>>> streams = new ArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            long started = System.nanoTime();
            for (int s = 0; s < SUBSCRIBERS; s++) {
                int owner = s % owners;
                streams.add(pool.submit(follow(keys.get(owner), trainings.get(owner), connected, refused)));
            }
            assertTrue(connected.await(2, TimeUnit.MINUTES), "every subscriber got the first state");
            long connectedAt = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                for (int o = 0; o < owners; o++) {
                    probe.publish(Event.of(trainings.get(o), "load-sse-" + o, new TrainingProgress(trainings.get(o),
                            step * 100, steps * 100, 0.1, 1e-4, 1, 1, List.of(), null)));
                }
                Thread.sleep(300);
            }
            for (int o = 0; o < owners; o++) {
                String trainingId = trainings.get(o);
                probe.publish(Event.of(trainingId, "load-sse-" + o, new TrainingCompleted(trainingId,
                        "adapters/load-sse-" + o + "/" + trainingId + "/adapter.safetensors", steps * 100, 0.1, 1,
                        List.of(), List.of())));
            }
            int events = 0;
            for (Future<List<JsonNode>> stream : streams) {
                List<JsonNode> received = stream.get(2, TimeUnit.MINUTES); // returns once the stream closed
                events += received.size();
                List<Integer> seen = received.stream().map(v -> v.path("progress").path("step").asInt(0))
                        .distinct().filter(step -> step > 0).toList();
                for (int step = 1; step <= steps; step++) {
                    assertTrue(seen.contains(step * 100), "progress " + step * 100 + " seen: " + seen);
                }
                assertEquals("COMPLETED", received.get(received.size() - 1).path("status").asText(),
                        "the last event is the end");
            }
            long wall = System.nanoTime() - started;
            pool.shutdown();
            assertEquals(0, refused.get(), "no stream refused");
            String summary = String.format("LOAD sse: subscribers=%d keys=%d (%d streams per key at most, gateway "
                            + "default cap) | every one got first state + %d progress + end and closed | events=%d | "
                            + "connect-all=%.1fs wall=%.1fs",
                    SUBSCRIBERS, owners, Math.min(SUBSCRIBERS, STREAMS_PER_KEY), steps, events,
                    (connectedAt - started) / 1e9, wall / 1e9);
            System.out.println(summary);
            summaries.add(summary);
        }
    }

    private static Callable<List<JsonNode>> follow(String key, String trainingId, CountDownLatch connected,
                                                   AtomicInteger refused) {
        return () -> {
            HttpRequest request = HttpRequest.newBuilder(gateway("/api/v1/trainings/" + trainingId + "/events"))
                    .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").GET().build();
            HttpResponse<java.util.stream.Stream<String>> response = http.send(request,
                    HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                refused.incrementAndGet();
                connected.countDown();
                throw new AssertionError("stream answered " + response.statusCode());
            }
            List<JsonNode> events = new ArrayList<>();
            boolean first = true;
            try (var lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    events.add(JSON.readTree(line.substring(5).trim()));
                    if (first) {
                        first = false;
                        connected.countDown();
                    }
                }
            }
            return events;
        };
    }

    private static HttpRequest generationRequest(String key, int index) {
        String body = "{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog, load " + index + "\",\"steps\":"
                + (1 + Math.floorMod(index, 2)) + ",\"count\":" + count(index) + ",\"seed\":"
                + Math.floorMod(index, 1_000_000) + "}";
        return HttpRequest.newBuilder(gateway("/api/v1/generations")).header("Authorization", "Bearer " + key)
                .header("Idempotency-Key", "load-" + index).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static int count(int index) {
        return 1 + (Math.floorMod(index, 3) == 0 ? 1 : 0);
    }

    private static HttpRequest upload(String key, String kind, byte[] photo) throws Exception {
        String boundary = "load" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        field(body, boundary, "form-data; name=\"instancePrompt\"", null, "a photo of sks dog"
                .getBytes(StandardCharsets.UTF_8));
        switch (kind) {
            case "good" -> field(body, boundary, "form-data; name=\"images\"; filename=\"rex.png\"", "image/png",
                    photo);
            case "garbage-png" -> {
                byte[] garbage = new byte[4096];
                new java.util.Random(7).nextBytes(garbage);
                field(body, boundary, "form-data; name=\"images\"; filename=\"rex.png\"", "image/png", garbage);
            }
            case "zip-traversal" -> {
                ByteArrayOutputStream zip = new ByteArrayOutputStream();
                try (ZipOutputStream out = new ZipOutputStream(zip)) {
                    out.putNextEntry(new ZipEntry("../../../../tmp/booth-load-escape.png"));
                    out.write(photo);
                    out.closeEntry();
                }
                field(body, boundary, "form-data; name=\"images\"; filename=\"photos.zip\"", "application/zip",
                        zip.toByteArray());
            }
            case "long-field" -> field(body, boundary, "form-data; name=\"images\"; filename=\"" + "a".repeat(5000)
                    + ".png\"", "image/png", photo);
            case "empty" -> { }
            default -> throw new IllegalArgumentException(kind);
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HttpRequest.newBuilder(gateway("/api/v1/datasets")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    private static void field(ByteArrayOutputStream body, String boundary, String disposition, String type,
                              byte[] content) throws Exception {
        StringBuilder head = new StringBuilder("--" + boundary + "\r\nContent-Disposition: " + disposition + "\r\n");
        if (type != null) {
            head.append("Content-Type: ").append(type).append("\r\n");
        }
        head.append("\r\n");
        body.write(head.toString().getBytes(StandardCharsets.UTF_8));
        body.write(content);
        body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Polls a resource until it is READY, REJECTED, COMPLETED or FAILED; a 404 is waited out. */
    private static JsonNode awaitEnd(String key, String path, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode view = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(get(path, key), HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() < 500, path + " answered " + response.statusCode());
            if (response.statusCode() == 200) {
                view = JSON.readTree(response.body());
                String status = view.path("status").asText();
                if (List.of("READY", "REJECTED", "COMPLETED", "FAILED").contains(status)) {
                    return view;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError(path + " did not end: " + view);
    }

    private static void awaitStatus(String key, String path, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(get(path, key), HttpResponse.BodyHandlers.ofString());
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200 && expected.equals(JSON.readTree(response.body()).path("status")
                    .asText())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " is not " + expected + ": " + last);
    }

    private static HttpRequest get(String path, String key) {
        return HttpRequest.newBuilder(gateway(path)).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static URI gateway(String path) {
        return URI.create(stack.url(Service.GATEWAY).toString().replaceAll("/$", "") + path);
    }

    private static MinioClient s3() {
        return MinioClient.builder().endpoint(stack.infra().s3Endpoint()).region("us-east-1")
                .credentials(stack.infra().settings().accessKey(), stack.infra().settings().secretKey()).build();
    }

    /** The generation images (0.png, 1.png, ...) under a prefix. */
    private static int pngs(MinioClient s3, String prefix) throws Exception {
        int n = 0;
        for (Result<Item> item : s3.listObjects(ListObjectsArgs.builder().bucket(Buckets.GENERATIONS).prefix(prefix)
                .recursive(true).build())) {
            if (item.get().objectName().substring(prefix.length()).matches("\\d+\\.png")) {
                n++;
            }
        }
        return n;
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
