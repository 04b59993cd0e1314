package ai.booth.gateway.training;

import ai.booth.gateway.http.Problem;
import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.Api;
import ai.booth.contracts.Buckets;
import java.nio.file.Path;
import ai.booth.service.models.ModelRegistry;
import ai.booth.service.models.ModelManifest;
import ai.booth.contracts.EvalScores;
import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.Topics;
import ai.booth.service.DeadLetters;
import ai.booth.testing.DeadLetterProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static ai.booth.gateway.Api.WAIT;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TrainingResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectStore store;

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void installModel() {
        Api.installModel(store);
    }

    private static String spec(String datasetId, String more) {
        return "{\"baseModel\":\"" + Api.MODEL + "\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\"" + more
                + "}";
    }

    @Test
    void aTrainingIsPublishedWithDefaultsAndFollowsItsEvents() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "alice");
            String trainingId = Api.as("alice").contentType(ContentType.JSON)
                    .body(spec(datasetId, ",\"rank\":8,\"validationPrompts\":[\"a photo of sks dog on the beach\"],"
                            + "\"noiseOffset\":0.05,\"snrGamma\":5"))
                    .post("/api/v1/trainings")
                    .then().statusCode(202)
                    .header("Location", startsWith("/api/v1/trainings/"))
                    .body("status", is("REQUESTED"))
                    .body("request.instancePrompt", is("a photo of sks dog"))
                    .extract().path("trainingId");

            Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
            TrainingRequested request = requested.payload();
            assertEquals("sks", request.instanceToken());
            assertEquals("a photo of dog", request.classPrompt());
            assertEquals(8, request.rank());
            assertFalse(request.checkpointsGradients(), "off unless asked for");
            assertEquals(8.0, request.alpha(), "alpha defaults to the rank");
            assertEquals(0.05, request.noiseOffset());
            assertEquals(5.0, request.snrGamma());
            assertEquals(1e-4, request.unetLearningRate());
            assertEquals(512, request.resolution(), "the dataset's resolution");
            assertEquals(125, request.validationInterval(), "a quarter of the steps with validation prompts");
            assertEquals("alice", requested.ownerId());

            String image = "alice/" + trainingId + "/validation/step-10-0.png";
            store.put(Buckets.CHECKPOINTS, image, new byte[]{1, 2, 3}, "image/png");
            probe.publish(requested.next(new TrainingProgress(trainingId, 10, 500, 0.12, 1e-4, 2.5, 196,
                    List.of(image), null)));
            probe.publish(requested.next(new TrainingProgress(trainingId, 20, 500, 0.11, 1e-4, 2.5, 190, List.of(),
                    null)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("alice").get("/api/v1/trainings/" + trainingId)
                    .then().statusCode(200)
                    .body("status", is("RUNNING"))
                    .body("percent", is(4.0f))
                    .body("losses.step", contains(10, 20))
                    .body("validationImages[0].step", is(10))
                    .body("validationImages[0].url", containsString("X-Amz-Signature")));
            // a worker resumed from the checkpoint of step 15 reports from step 16: step 20 of the lost run goes
            probe.publish(requested.next(new TrainingProgress(trainingId, 16, 500, 0.105, 1e-4, 2.5, 192, List.of(),
                    null)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("alice").get("/api/v1/trainings/" + trainingId)
                    .then().body("losses.step", contains(10, 16)).body("progress.step", is(16)));
            probe.publish(requested.next(new TrainingProgress(trainingId, 20, 500, 0.11, 1e-4, 2.5, 190, List.of(),
                    null)));
            probe.publish(requested.next(new TrainingCompleted(trainingId, "alice/" + trainingId + "/lora.safetensors",
                    500, 0.08, 200_000, List.of(), List.of(image))));
            probe.publish(requested.next(new TrainingProgress(trainingId, 499, 500, 0.08, 1e-4, 2.5, 0, List.of(),
                    null)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("alice").get("/api/v1/trainings/" + trainingId)
                    .then().body("status", is("COMPLETED")).body("percent", is(100.0f)));
            Api.as("alice").get("/api/v1/trainings/" + trainingId)
                    .then().body("progress.step", is(20)).body("validationImages.size()", is(1))
                    .body("result.steps", is(500));
        }
    }

    @Test
    void evaluationIsOnByDefaultOnceBothEncodersAreInstalledAndItsScorecardFollowsTheSteps() throws Exception {
        ModelRegistry registry = new ModelRegistry(store);
        registry.list().stream().filter(ModelManifest::encoder).forEach(m -> store.remove(Buckets.MODELS,
                ModelRegistry.objectKey(m.id(), ModelRegistry.MANIFEST)));
        String validating = ",\"validationPrompts\":[\"a photo of sks dog on the beach\"]";
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "erin");
            // the gateway lists models afresh every few seconds
            await().atMost(WAIT).untilAsserted(() -> Api.as("erin").get("/api/v1/models").then()
                    .body("findAll { it.kind == 'encoder' }.size()", is(0)));
            Api.as("erin").contentType(ContentType.JSON)
                    .body(spec(datasetId, validating + ",\"evaluate\":true")).post("/api/v1/trainings")
                    .then().statusCode(400)
                    .body("errors[0].field", is("evaluate"))
                    .body("errors[0].message", containsString("a clip and a dino encoder installed"));
            Api.as("erin").contentType(ContentType.JSON).body(spec(datasetId, ",\"evaluate\":true"))
                    .post("/api/v1/trainings").then().statusCode(400)
                    .body("errors[0].field", is("evaluate"))
                    .body("errors[0].message", containsString("validationPrompts"));
            Api.as("erin").contentType(ContentType.JSON).body(spec(datasetId, validating))
                    .post("/api/v1/trainings").then().statusCode(202).body("request.evaluate", is(false));
            Api.as("erin").contentType(ContentType.JSON)
                    .body(spec(datasetId, validating + ",\"selectBy\":\"dino\"")).post("/api/v1/trainings")
                    .then().statusCode(400)
                    .body("errors[0].field", is("selectBy"))
                    .body("errors[0].message", containsString("encoder installed"));

            Path eval = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny")).resolve("eval");
            registry.installEncoder(eval.resolve("clip"), "eval-clip", null);
            registry.installEncoder(eval.resolve("dino"), "eval-dino", null);
            await().atMost(WAIT).untilAsserted(() -> Api.as("erin").get("/api/v1/models").then()
                    .body("findAll { it.kind == 'encoder' }.size()", is(2)));
            String trainingId = Api.as("erin").contentType(ContentType.JSON).body(spec(datasetId, validating))
                    .post("/api/v1/trainings").then().statusCode(202).body("request.evaluate", is(true))
                    .extract().path("trainingId");
            Api.as("erin").contentType(ContentType.JSON)
                    .body(spec(datasetId, validating + ",\"selectBy\":\"lpips\",\"mode\":\"lora\""))
                    .post("/api/v1/trainings").then().statusCode(400).body("errors[0].field", is("selectBy"))
                    .body("errors[0].message", containsString("clip_t"));
            Api.as("erin").contentType(ContentType.JSON)
                    .body(spec(datasetId, validating + ",\"selectBy\":\"dino\",\"mode\":\"full\""))
                    .post("/api/v1/trainings").then().statusCode(400).body("errors[0].field", is("selectBy"))
                    .body("errors[0].message", containsString("full fine-tune"));
            Api.as("erin").contentType(ContentType.JSON)
                    .body(spec(datasetId, validating + ",\"selectBy\":\"clip_i\"")).post("/api/v1/trainings")
                    .then().statusCode(202).body("request.selectBy", is("clip_i"));
            Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
            assertTrue(requested.payload().evaluate());

            EvalScores at5 = new EvalScores(5, 0.61, 0.72, 0.28, 1, 3);
            EvalScores at10 = new EvalScores(10, 0.66, 0.78, 0.30, 1, 3);
            probe.publish(requested.next(new TrainingProgress(trainingId, 5, 10, 0.2, 1e-4, 3, 2, List.of(), null,
                    at5)));
            probe.publish(requested.next(new TrainingProgress(trainingId, 10, 10, 0.1, 1e-4, 3, 0, List.of(), null,
                    at10)));
            probe.publish(requested.next(new TrainingCompleted(trainingId, "erin/" + trainingId + "/lora.safetensors",
                    10, 0.1, 6_000, List.of(), List.of(), null, null, at10)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("erin").get("/api/v1/trainings/" + trainingId)
                    .then().statusCode(200)
                    .body("status", is("COMPLETED"))
                    .body("scores.step", contains(5, 10))
                    .body("scores[0].dino", is(0.61f))
                    .body("scores[1].clipT", is(0.30f))
                    .body("result.scores.clipI", is(0.78f)));
        }
    }

    @Test
    void unreadableRecordsOnAViewTopicAreDeadLetteredAndTheEventsAfterThemStillArrive() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "olga");
            String trainingId = Api.as("olga").contentType(ContentType.JSON).body(spec(datasetId, ""))
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
            // the training's own key: same partition, so the valid event is read after the two bad ones
            String key = requested.correlationId();
            probe.publishRaw(Topics.TRAINING_PROGRESS, key, "{not json".getBytes(StandardCharsets.UTF_8));
            probe.publishRaw(Topics.TRAINING_PROGRESS, key, new String(EventSerde.toJson(requested.next(
                    new TrainingProgress(trainingId, 5, 500, 0.2, 1e-4, 2.5, 200, List.of(), null))),
                    StandardCharsets.UTF_8).replace("\"schemaVersion\":1", "\"schemaVersion\":99")
                    .getBytes(StandardCharsets.UTF_8));
            probe.publish(requested.next(new TrainingProgress(trainingId, 10, 500, 0.12, 1e-4, 2.5, 196, List.of(),
                    null)));

            await().atMost(WAIT).untilAsserted(() -> Api.as("olga").get("/api/v1/trainings/" + trainingId)
                    .then().body("progress.step", is(10)).body("losses.step", contains(10)));
            String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
            List<ConsumerRecord<String, byte[]>> dead = DeadLetterProbe.read(bootstrap, key, 2, WAIT);
            assertEquals(2, dead.size(), "both unreadable records are dead-lettered");
            assertTrue(new String(DeadLetters.originalValue(dead.get(0)), StandardCharsets.UTF_8)
                    .startsWith("{not json"),
                    "the original bytes are kept");
            assertTrue(DeadLetterProbe.header(dead.get(1), DeadLetters.ERROR).contains("schemaVersion 99"),
                    DeadLetterProbe.header(dead.get(1), DeadLetters.ERROR));
            assertEquals(Topics.TRAINING_PROGRESS, DeadLetterProbe.header(dead.get(0), DeadLetters.ORIGINAL_TOPIC));
            Api.management().get("/q/health/live").then().statusCode(200);
        }
    }

    @Test
    void aFullFineTuneIsRequestedWithItsOwnDefaultsAndItsModelIsNoAdapter() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "frank");
            Api.as("frank").contentType(ContentType.JSON).body(spec(datasetId, ",\"mode\":\"full\",\"rank\":8,"
                            + "\"alpha\":4"))
                    .post("/api/v1/trainings").then().statusCode(400)
                    .body("errors.field", contains("rank", "alpha"))
                    .body("errors[0].message", containsString("LoRA modes only (lora, pivotal), not full"));
            Api.as("frank").contentType(ContentType.JSON).body(spec(datasetId, ",\"mode\":\"half\""))
                    .post("/api/v1/trainings").then().statusCode(400)
                    .body("errors[0].field", is("mode"))
                    .body("errors[0].message", containsString("lora, full"));

            String trainingId = Api.as("frank").contentType(ContentType.JSON)
                    .body(spec(datasetId, ",\"mode\":\"full\",\"gradientCheckpointing\":true"))
                    .post("/api/v1/trainings").then().statusCode(202)
                    .body("request.mode", is("full"))
                    .body("request.gradientCheckpointing", is(true))
                    .extract().path("trainingId");
            Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
            assertTrue(requested.payload().fullFineTune());
            assertTrue(requested.payload().checkpointsGradients(), "asked for: the memory a 512² full run needs");
            assertEquals(5e-6, requested.payload().unetLearningRate(), "diffusers' train_dreambooth rate");
            assertEquals(0.0, requested.payload().textEncoderLearningRate(), "the text encoder stays frozen");

            String file = "frank/" + trainingId + "/model.safetensors";
            store.put(Buckets.ADAPTERS, file, "ldm".getBytes(), "application/octet-stream");
            probe.publish(requested.next(new TrainingCompleted(trainingId, file, 500, 0.08, 1000, List.of(),
                    List.of(), "ft-" + trainingId)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("frank").get("/api/v1/trainings/" + trainingId)
                    .then().body("status", is("COMPLETED")).body("result.modelId", is("ft-" + trainingId)));
            String location = Api.as("frank").redirects().follow(false)
                    .get("/api/v1/trainings/" + trainingId + "/model").then().statusCode(303)
                    .extract().header("Location");
            HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(location)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("ldm", download.body(), "the A1111 single file");
            assertTrue(download.headers().firstValue("Content-Disposition").orElse("")
                    .contains("ft-" + trainingId + ".safetensors"), download.headers().map().toString());
            Api.as("zed").get("/api/v1/trainings/" + trainingId + "/model").then().statusCode(404);
            Api.as("frank").get("/api/v1/adapters").then().statusCode(200).body("items", empty());
            Api.as("frank").get("/api/v1/adapters/" + trainingId).then().statusCode(404)
                    .body("detail", containsString("base model 'ft-" + trainingId + "'"));
            Api.as("frank").contentType(ContentType.JSON).body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":"
                            + "\"a photo of sks dog\",\"loras\":[{\"trainingId\":\"" + trainingId + "\"}]}")
                    .post("/api/v1/generations").then().statusCode(400)
                    .body("errors.find { it.field == 'loras[0].trainingId' }.message",
                            containsString("use its model as baseModel: 'ft-" + trainingId + "'"));
        }
    }

    @Test
    void aPivotalTrainingNamesTheSubjectWithItsNewTokensAndItsEmbeddingServesGenerations() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "grace");
            Api.as("grace").contentType(ContentType.JSON).body(spec(datasetId, ",\"newTokens\":[\"<s1>\",\"<s1>\","
                            + "\"two words\"],\"instanceToken\":\"sks\",\"lrEmbeddings\":0.5,\"mode\":\"full\""))
                    .post("/api/v1/trainings").then().statusCode(400)
                    .body("errors.field", hasItems("newTokens[1]", "newTokens[2]", "instanceToken", "newTokens",
                            "lrEmbeddings"))
                    .body("errors.find { it.field == 'newTokens' }.message", containsString("mode pivotal or"
                            + " textual_inversion, not full"));
            Api.as("grace").contentType(ContentType.JSON).body(spec(datasetId, ",\"mode\":\"textual_inversion\","
                            + "\"rank\":8,\"initializerToken\":\"style\""))
                    .post("/api/v1/trainings").then().statusCode(400)
                    .body("errors.field", hasItems("newTokens", "rank", "initializerToken"));
            Api.as("grace").contentType(ContentType.JSON).body(spec(datasetId, ",\"newTokens\":[\"<s1>\",\"<s2>\"],"
                            + "\"instancePrompt\":\"a painting in style <s1>\""))
                    .post("/api/v1/trainings").then().statusCode(400)
                    .body("errors[0].field", is("instancePrompt"))
                    .body("errors[0].message", containsString("not '<s2>'"));

            String trainingId = Api.as("grace").contentType(ContentType.JSON)
                    .body(spec(datasetId, ",\"newTokens\":[\"<s1>\",\"<s2>\"],\"initializerToken\":\"style\","
                            + "\"lrEmbeddings\":0.002"))
                    .post("/api/v1/trainings").then().statusCode(202)
                    .body("request.mode", is("pivotal"))
                    .body("request.instancePrompt", is("a photo of <s1><s2> dog"))
                    .body("request.newTokens", contains("<s1>", "<s2>"))
                    .extract().path("trainingId");
            Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
            assertEquals(List.of("<s1>", "<s2>"), requested.payload().newTokens());
            assertEquals("<s1><s2>", requested.payload().instanceToken());
            assertEquals("style", requested.payload().initializerToken());
            assertEquals(0.002, requested.payload().lrEmbeddings());

            String prefix = "grace/" + trainingId + "/";
            for (String file : List.of("pytorch_lora_weights.safetensors", "lora_kohya.safetensors",
                    "booth-x.safetensors", "booth-x_emb.safetensors")) {
                store.put(Buckets.ADAPTERS, prefix + file, file.getBytes(), "application/octet-stream");
            }
            probe.publish(requested.next(new TrainingCompleted(trainingId, prefix + "pytorch_lora_weights.safetensors",
                    2, 0.1, 1000, List.of(), List.of(), null, prefix + "booth-x.safetensors")));
            await().atMost(WAIT).untilAsserted(() -> Api.as("grace").get("/api/v1/trainings/" + trainingId)
                    .then().body("status", is("COMPLETED")));
            Api.as("grace").get("/api/v1/adapters").then().statusCode(200)
                    .body("items[0].mode", is("pivotal"))
                    .body("items[0].tokens", contains("<s1>", "<s2>"))
                    .body("items[0].downloads.keySet()", contains("peft", "kohya", "embedding", "embedding_kohya"));
            Api.as("grace").redirects().follow(false).get("/api/v1/adapters/" + trainingId + "?layout=embedding_kohya")
                    .then().statusCode(303).header("Location", containsString("booth-x_emb.safetensors"));

            String generationId = Api.as("grace").contentType(ContentType.JSON).body("{\"baseModel\":\"" + Api.MODEL
                            + "\",\"prompt\":\"a cat in the style of <s1><s2>\",\"embeddings\":[\"" + trainingId + "\"]}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            assertEquals(List.of(prefix + "booth-x.safetensors"),
                    probe.await(GenerationRequested.class, generationId, WAIT).payload().embeddings());
            Api.as("grace").contentType(ContentType.JSON).body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":"
                            + "\"a cat\",\"embeddings\":[\"nope\"]}")
                    .post("/api/v1/generations").then().statusCode(400)
                    .body("errors[0].field", is("embeddings[0]"))
                    .body("errors[0].message", is("no training 'nope'"));
        }
    }

    @Test
    void everyBadFieldIsNamed() throws Exception {
        String tooLong = "a photo of sks dog " + "with a hat ".repeat(30);
        Api.as("carol").contentType(ContentType.JSON)
                .body("{\"baseModel\":\"nope\",\"instanceToken\":\"two words\",\"classNoun\":\"dog\",\"rank\":0,"
                        + "\"resolution\":100,\"unetLearningRate\":0.1,\"lrScheduler\":\"warp\",\"maxTrainSteps\":50,"
                        + "\"lrWarmupSteps\":60,\"noiseOffset\":-0.1,\"snrGamma\":50,"
                        + "\"callbackUrl\":\"ftp://example.com\"}")
                .post("/api/v1/trainings")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", endsWith("/validation"))
                .body("errors.field", hasItems("baseModel", "datasetId", "instanceToken", "rank", "resolution",
                        "unetLearningRate", "lrScheduler", "lrWarmupSteps", "noiseOffset", "snrGamma", "callbackUrl"))
                .body("errors.find { it.field == 'snrGamma' }.message", is("must be in [0, 20], got 50.0"))
                .body("errors.find { it.field == 'baseModel' }.message", containsString("installed: [" + Api.MODEL))
                .body("errors.find { it.field == 'rank' }.message", is("must be in [1, 128], got 0"))
                .body("errors.find { it.field == 'resolution' }.message",
                        is("must be a multiple of 8 in [64, 2048], got 100"));
        Api.as("carol").contentType(ContentType.JSON).body(spec("x", ",\"instancePrompt\":\"a photo of a dog\","
                        + "\"validationPrompts\":[\"" + tooLong + "\"]"))
                .post("/api/v1/trainings").then().statusCode(400)
                .body("errors.find { it.field == 'instancePrompt' }.message", containsString("'sks'"))
                .body("errors.find { it.field == 'validationPrompts[0]' }.message",
                        is("is 95 CLIP tokens; the text encoder reads at most 75"));
        Api.as("carol").contentType(ContentType.JSON).body("{\"rank\":\"eight\"}")
                .post("/api/v1/trainings").then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors[0].field", is("rank"));
        Api.as("carol").contentType(ContentType.JSON).body("{not json").post("/api/v1/trainings")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE);
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.as("carol").multiPart("images", "a.png", new byte[]{1}, "image/png")
                    .post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
            Api.as("carol").contentType(ContentType.JSON).body(spec(datasetId, "")).post("/api/v1/trainings")
                    .then().statusCode(400)
                    .body("errors[0].message", is("dataset '" + datasetId + "' is INGESTING; trainings need a READY"
                            + " dataset"));
            String bobs = Api.readyDataset(probe, "bob");
            Api.as("carol").contentType(ContentType.JSON).body(spec(bobs, "")).post("/api/v1/trainings")
                    .then().statusCode(400).body("errors[0].message", is("no dataset '" + bobs + "'"));
        }
    }

    @Test
    void anIdempotencyKeyMakesOneTrainingAlsoAcrossRestarts() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "dora");
            String body = spec(datasetId, ",\"maxTrainSteps\":100");
            String first = Api.as("dora").contentType(ContentType.JSON).header(Idempotency.HEADER, "t-1").body(body)
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            Api.as("dora").contentType(ContentType.JSON).header(Idempotency.HEADER, "t-1")
                    .body(body.replace(",", " , ")) // formatting is not content
                    .post("/api/v1/trainings").then().statusCode(200).body("trainingId", is(first));
            Api.as("dora").contentType(ContentType.JSON).header(Idempotency.HEADER, "t-1")
                    .body(spec(datasetId, ",\"maxTrainSteps\":101"))
                    .post("/api/v1/trainings").then().statusCode(409).body("status", is(409));

            // A job the gateway only knows from Kafka (as after a restart): the headers carry key and body hash.
            String replayKey = "t-restart";
            String trainingId = Idempotency.jobId("trainings", "dora", replayKey);
            TrainingSpec spec = JSON.readValue(body, TrainingSpec.class);
            TrainingRequested request = probe.await(TrainingRequested.class, first, WAIT).payload();
            TrainingRequested earlier = new TrainingRequested(trainingId, request.baseModel(), request.datasetId(),
                    request.instanceToken(), request.classNoun(), request.instancePrompt(), request.classPrompt(),
                    request.priorPreservation(), request.priorLossWeight(), request.classImageCount(),
                    request.resolution(), request.maxTrainSteps(), request.batchSize(), request.rank(),
                    request.alpha(), request.unetLearningRate(), request.textEncoderLearningRate(),
                    request.lrScheduler(), request.lrWarmupSteps(), request.seed(), request.checkpointInterval(),
                    request.validationInterval(), request.validationPrompts());
            probe.publish(Event.of(trainingId, "dora", earlier),
                    new JobMeta(Api.key("dora").id(), null, Idempotency.hash(spec)).toHeaders());
            await().atMost(WAIT).untilAsserted(() -> Api.as("dora").get("/api/v1/trainings/" + trainingId)
                    .then().statusCode(200).body("request.maxTrainSteps", is(100)));
            Api.as("dora").contentType(ContentType.JSON).header(Idempotency.HEADER, replayKey).body(body)
                    .post("/api/v1/trainings").then().statusCode(200).body("trainingId", is(trainingId));
        }
    }

    @Test
    void listsOnlyTheOwnersTrainingsNewestFirst() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "emma");
            List<String> ids = new ArrayList<>();
            for (int steps : List.of(10, 20, 30)) {
                ids.add(0, Api.as("emma").contentType(ContentType.JSON)
                        .body(spec(datasetId, ",\"maxTrainSteps\":" + steps)).post("/api/v1/trainings")
                        .then().statusCode(202).extract().path("trainingId"));
            }
            Api.as("emma").get("/api/v1/trainings?limit=2").then().statusCode(200)
                    .body("total", is(3)).body("items.trainingId", contains(ids.get(0), ids.get(1)))
                    .body("items[0].meta", nullValue()) // key id and request hash stay inside
                    .body("items[0].request.maxTrainSteps", is(30));
            Api.as("fred").get("/api/v1/trainings").then().statusCode(200).body("total", is(0));
        }
    }

    @Test
    void aRunningTrainingCanBeCancelledOnce() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "gus");
            String trainingId = Api.as("gus").contentType(ContentType.JSON).body(spec(datasetId, ""))
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            Api.as("hal").post("/api/v1/trainings/" + trainingId + "/cancel").then().statusCode(404);
            Api.as("gus").post("/api/v1/trainings/" + trainingId + "/cancel").then().statusCode(202)
                    .body("cancelRequested", is(true));
            Event<TrainingCancelRequested> cancel = probe.await(TrainingCancelRequested.class, trainingId, WAIT);
            assertEquals("gus", cancel.ownerId());
            probe.publish(cancel.next(new TrainingFailed(trainingId, "CANCELLED", "cancelled", 3)));
            await().atMost(WAIT).untilAsserted(() -> Api.as("gus").get("/api/v1/trainings/" + trainingId)
                    .then().body("status", is("FAILED")).body("failure.code", is("CANCELLED")));
            Api.as("gus").post("/api/v1/trainings/" + trainingId + "/cancel").then().statusCode(409)
                    .body("detail", containsString("FAILED"));
        }
    }

    @Test
    void progressStreamsAsServerSentEventsUntilTheEnd() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "ivan");
            String trainingId = Api.as("ivan").contentType(ContentType.JSON).body(spec(datasetId, ""))
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
            assertEquals(404, HttpClient.newHttpClient().send(events(trainingId, "judy"),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "another owner's stream");

            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(events(trainingId, "ivan"),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
            BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                        StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.startsWith("data:")) {
                            received.add(JSON.readTree(line.substring(5)));
                        }
                    }
                    received.add(JSON.createObjectNode().put("end", true));
                } catch (Exception e) {
                    received.add(JSON.createObjectNode().put("error", e.toString()));
                }
            });
            reader.start();
            assertEquals("REQUESTED", next(received).path("status").asText(), "the current state on connect");
            probe.publish(requested.next(new TrainingProgress(trainingId, 5, 10, 0.2, 1e-4, 3, 2, List.of(),
                    null)));
            JsonNode running = next(received);
            assertEquals(50.0, running.path("percent").asDouble());
            assertEquals(5, running.path("losses").get(0).path("step").asInt());
            probe.publish(requested.next(new TrainingCompleted(trainingId, "ivan/" + trainingId + "/a.safetensors",
                    10, 0.1, 10, List.of(), List.of())));
            assertEquals("COMPLETED", next(received).path("status").asText());
            assertTrue(next(received).path("end").asBoolean(), "the stream ends after the terminal event");
        }
    }

    private HttpRequest events(String trainingId, String ownerId) {
        return HttpRequest.newBuilder(URI.create(root + "api/v1/trainings/" + trainingId + "/events"))
                .header("Authorization", "Bearer " + Api.created(ownerId, "standard").keyText())
                .header("Accept", "text/event-stream").build();
    }

    private static JsonNode next(BlockingQueue<JsonNode> received) throws InterruptedException {
        JsonNode event = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(event, "no server-sent event within " + WAIT);
        assertNull(event.get("error"), String.valueOf(event));
        return event;
    }

    @Test
    void anotherOwnersTrainingAnswersLikeAMissingOne() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "kim");
            String trainingId = Api.as("kim").contentType(ContentType.JSON).body(spec(datasetId, ""))
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            String unknown = UUID.randomUUID().toString();
            for (String id : List.of(trainingId, unknown)) {
                Api.as("lee").get("/api/v1/trainings/" + id).then().statusCode(404)
                        .contentType(Problem.MEDIA_TYPE).body("detail", is("no training '" + id + "'"))
                        .body("instance", is("/api/v1/trainings/" + id));
            }
            Api.as("kim").get("/api/v1/trainings/" + trainingId).then().statusCode(200);
        }
    }
}
