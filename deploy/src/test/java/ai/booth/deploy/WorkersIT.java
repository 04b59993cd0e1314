package ai.booth.deploy;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.Event;
import ai.booth.contracts.EvaluationCompleted;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingProgress;
import ai.booth.keys.ApiKeyStore;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workers as real processes of the stack ({@code ./booth up}'s way): the whole flow from a dataset upload
 * through class images, training and the adapter to a generation with it; and a trainer killed with SIGKILL mid-job
 * is started again and finishes the job from its last S3 checkpoint.
 */
@ExtendWith(SharedStack.class)
class WorkersIT {

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String OWNER = "workers";

    private static Stack stack;
    private static String apiKey;
    private static StackSettings settings;

    @BeforeAll
    static void start() throws Exception {
        stack = SharedStack.stack();
        settings = stack.settings();
        apiKey = new ApiKeyStore(settings.keysFile()).create(OWNER, "workers test", "unlimited").keyText();
    }


    @Test
    void aTrainerKilledMidJobResumesFromItsCheckpointAfterRestart() throws Exception {
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            String datasetId = dataset(probe);
            String trainingId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\","
                            + "\"priorPreservation\":false,\"resolution\":64,\"maxTrainSteps\":60,\"rank\":2,"
                            + "\"checkpointInterval\":5}")
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");

            probe.await(TrainingProgress.class, e -> e.correlationId().equals(trainingId)
                    && ((TrainingProgress) e.payload()).checkpointKey() != null, WAIT);
            stack.kill(Service.TRAINER);
            Instant killed = Instant.now();
            int checkpointStep = pointerStep(trainingId);
            assertTrue(checkpointStep >= 5 && checkpointStep < 60, "checkpoint at " + checkpointStep);

            stack.restart(Service.TRAINER);
            TrainingCompleted done = probe.await(TrainingCompleted.class, trainingId, WAIT).payload();
            assertEquals(60, done.steps());
            List<Event<TrainingProgress>> progress = probe.all(TrainingProgress.class, trainingId);
            TrainingProgress firstAfterRestart = progress.stream().filter(e -> e.occurredAt().isAfter(killed))
                    .findFirst().orElseThrow().payload();
            assertEquals(checkpointStep + 1, firstAfterRestart.step(), "resumed from the checkpoint, not from 0");
            assertEquals(60, progress.get(progress.size() - 1).payload().step());
            stat(Buckets.ADAPTERS, Buckets.adapterPrefix(OWNER, trainingId) + "lora_kohya.safetensors");
            gateway().get("/api/v1/trainings/" + trainingId).then().statusCode(200)
                    .body("status", org.hamcrest.Matchers.is("COMPLETED"));
        }
    }

    @Test
    void datasetClassImagesTrainingAdapterAndGenerationRunAcrossTheServices() throws Exception {
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            String datasetId = dataset(probe);
            String trainingId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\","
                            + "\"priorPreservation\":true,\"classImageCount\":2,\"resolution\":64,"
                            + "\"maxTrainSteps\":4,\"rank\":2,\"validationPrompts\":[\"a photo of sks dog\"],"
                            + "\"validationInterval\":2}")
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");

            // the trainer asks the sampler for the class images over Kafka
            Event<GenerationRequested> classImages = probe.await(GenerationRequested.class,
                    e -> e.ownerId().equals("booth-system") && e.correlationId().startsWith("class-"), WAIT);
            assertEquals(2, classImages.payload().count());
            GenerationCompleted rendered = probe.await(GenerationCompleted.class, classImages.correlationId(), WAIT)
                    .payload();
            assertEquals(2, rendered.images().size());
            TrainingCompleted trained = probe.await(TrainingCompleted.class, trainingId, WAIT).payload();
            assertEquals(4, trained.steps());
            assertEquals(2, trained.validationImageKeys().size());
            String metadata = new String(read(Buckets.ADAPTERS, Buckets.adapterPrefix(OWNER, trainingId)
                    + "metadata.json"), StandardCharsets.UTF_8);
            assertTrue(metadata.matches("(?s).*\"class_images\"\\s*:\\s*2\\b.*"), metadata);

            // the adapter, by training id, in a generation through the gateway
            String generationId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog\",\"steps\":4,\"seed\":3,"
                            + "\"width\":64,\"height\":64,\"loras\":[{\"trainingId\":\"" + trainingId + "\","
                            + "\"unetScale\":1.0,\"textEncoderScale\":1.0}]}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            GenerationCompleted generated = probe.await(GenerationCompleted.class, generationId, WAIT).payload();
            String png = new String(read(Buckets.GENERATIONS, generated.images().get(0).key()),
                    StandardCharsets.ISO_8859_1);
            assertTrue(png.contains("parameters") && png.contains("<lora:"), "PNG with the adapter's infotext");
        }
    }

    @Test
    void aPivotalTrainingsNewTokensRenderWithItsLoraAndAsAnEmbeddingAndThePngNamesThem() throws Exception {
        FixtureModels.encoders(stack, settings);
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            String datasetId = dataset(probe);
            String trainingId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\","
                            + "\"newTokens\":[\"<s1>\",\"<s2>\"],\"initializerToken\":\"style\","
                            + "\"priorPreservation\":false,\"resolution\":64,\"maxTrainSteps\":3,\"rank\":2,"
                            + "\"validationPrompts\":[\"a cat in the style of <s1><s2>\"],\"validationInterval\":2,"
                            + "\"evaluate\":true}")
                    .post("/api/v1/trainings").then().statusCode(202)
                    .body("request.mode", org.hamcrest.Matchers.is("pivotal"))
                    .body("request.evaluate", org.hamcrest.Matchers.is(true)).extract().path("trainingId");
            TrainingCompleted trained = probe.await(TrainingCompleted.class, trainingId, WAIT).payload();
            assertEquals(2, trained.validationImageKeys().size(), "validated with the tokens at steps 2 and 3");

            // evaluated at step 2 and after the last (3): the scorecard in the view (once the gateway has read the
            // completion too) and beside the adapter, the final adapter's scores its last row
            assertEquals(3, trained.scores().step());
            awaitViewStatus("/api/v1/trainings/" + trainingId, "COMPLETED");
            gateway().get("/api/v1/trainings/" + trainingId).then().statusCode(200)
                    .body("scores.step", org.hamcrest.Matchers.contains(2, 3))
                    .body("scores[1].real", org.hamcrest.Matchers.greaterThan(0))
                    .body("result.scores.step", org.hamcrest.Matchers.is(3));
            String scorecard = new String(read(Buckets.ADAPTERS, Buckets.adapterPrefix(OWNER, trainingId)
                    + "scores.json"), StandardCharsets.UTF_8);
            assertTrue(scorecard.contains("\"step\":2") && scorecard.contains("\"clipT\""), scorecard);
            stat(Buckets.ADAPTERS, trained.embeddingKey());
            gateway().get("/api/v1/adapters").then().statusCode(200)
                    .body("items.find { it.trainingId == '" + trainingId + "' }.tokens",
                            org.hamcrest.Matchers.contains("<s1>", "<s2>"));

            // with its LoRA the tokens come along; without it, as an embedding: the PNG lists them as A1111 does
            List<String> generationIds = new java.util.ArrayList<>();
            for (String use : List.of("\"loras\":[{\"trainingId\":\"" + trainingId + "\"}]",
                    "\"embeddings\":[\"" + trainingId + "\"]")) {
                String generationId = gateway().contentType(ContentType.JSON)
                        .body("{\"baseModel\":\"sd-tiny\",\"prompt\":\"a cat in the style of <s1><s2>\",\"steps\":4,"
                                + "\"seed\":3,\"width\":64,\"height\":64," + use + "}")
                        .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
                GenerationCompleted generated = probe.await(GenerationCompleted.class, generationId, WAIT)
                        .payload();
                String png = new String(read(Buckets.GENERATIONS, generated.images().get(0).key()),
                        StandardCharsets.ISO_8859_1);
                assertTrue(png.contains("TI hashes: \"booth-"), use + ": the PNG names the embedding: " + png
                        .substring(Math.max(0, png.indexOf("parameters")), Math.min(png.length(),
                                png.indexOf("parameters") + 400)));
                generationIds.add(generationId);
            }

            // both renders scored as an evaluation job of their own, by a sampler, against the training's photos
            for (String generationId : generationIds) {
                awaitViewStatus("/api/v1/generations/" + generationId, "COMPLETED");
            }
            String evaluationId = gateway().contentType(ContentType.JSON)
                    .body("{\"generationIds\":[\"" + String.join("\",\"", generationIds) + "\"],\"trainingId\":\""
                            + trainingId + "\"}")
                    .post("/api/v1/evaluations").then().statusCode(202).extract().path("evaluationId");
            EvaluationCompleted scored = probe.await(EvaluationCompleted.class, evaluationId, WAIT).payload();
            assertEquals(2, scored.scores().generated());
            assertEquals(trained.scores().real(), scored.scores().real(), "the training's photos");
            assertTrue(Math.abs(scored.scores().dino()) <= 1 && Math.abs(scored.scores().clipT()) <= 1,
                    scored.toString());
            assertNotNull(scored.diversity(), "two images of one prompt");
            awaitViewStatus("/api/v1/evaluations/" + evaluationId, "COMPLETED");
        }
    }

    /**
     * The seeds' rank experiment through the stack: three variants of one training with prior preservation, each
     * an ordinary training (the class images made by the first and reused by the others), then rendering the same
     * prompts as the base model; the experiment shows a table row and a sheet row for each, and the base model's.
     */
    @Test
    void anExperimentComparesThreeVariantsThatShareTheirClassImagesInATableAndASheet() throws Exception {
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            String datasetId = dataset(probe);
            String experimentId = gateway().contentType(ContentType.JSON)
                    .body("{\"datasetId\":\"" + datasetId + "\",\"training\":{\"baseModel\":\"sd-tiny\","
                            + "\"classNoun\":\"heron\",\"priorPreservation\":true,\"classImageCount\":2,"
                            + "\"resolution\":64,\"maxTrainSteps\":2,\"rank\":2},\"variants\":["
                            + "{\"overrides\":{\"rank\":2}},{\"overrides\":{\"rank\":4}},"
                            + "{\"overrides\":{\"rank\":4,\"maxTrainSteps\":3}}],"
                            + "\"prompts\":[\"a photo of sks heron\",\"a photo of sks heron on the moon\"],\"seeds\":[5],"
                            + "\"steps\":2,\"width\":64,\"height\":64}")
                    .post("/api/v1/experiments").then().statusCode(202).extract().path("experimentId");
            awaitViewStatus("/api/v1/experiments/" + experimentId, "COMPLETED");

            var view = gateway().get("/api/v1/experiments/" + experimentId).then().statusCode(200).extract()
                    .jsonPath();
            assertEquals(List.of("base model", "rank=2", "rank=4", "rank=4, maxTrainSteps=3"),
                    view.getList("rows.label"));
            for (int row = 0; row < 4; row++) {
                assertEquals(2, view.getList("rows[" + row + "].images").size(), "row " + row + " renders each prompt");
                assertTrue(view.getString("rows[" + row + "].sheet.url").contains("X-Amz-Signature"), "row " + row);
            }
            assertEquals(List.of(2, 2, 3), List.of(view.getInt("rows[1].steps"), view.getInt("rows[2].steps"),
                    view.getInt("rows[3].steps")));
            assertEquals(List.of(2, 4, 4), List.of(view.getInt("rows[1].rank"), view.getInt("rows[2].rank"),
                    view.getInt("rows[3].rank")));
            assertTrue(view.getDouble("rows[3].stepsPerSecond") > 0);
            // the trainer asks the sampler for the class-image set once (by its content id); the other variants
            // find it stored
            Event<GenerationRequested> classImages = probe.await(GenerationRequested.class,
                    e -> e.ownerId().equals("booth-system") && ((GenerationRequested) e.payload()).prompt()
                            .equals("a photo of heron"), WAIT);
            Thread.sleep(1000); // a second request of the same set would follow the first on its partition
            assertEquals(1, probe.all(GenerationRequested.class, classImages.correlationId()).size(),
                    "the variants' class images are made once");
        }
    }

    @Test
    void aFullFineTuneBecomesABaseModelThatGeneratesWithALoraOfItsBase() throws Exception {
        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            String datasetId = dataset(probe);
            String fullId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\","
                            + "\"mode\":\"full\",\"priorPreservation\":false,\"resolution\":64,"
                            + "\"maxTrainSteps\":50,\"textEncoderLearningRate\":5e-6,"
                            + "\"gradientCheckpointing\":true}") // as a 512² SD-1.5 run needs it
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            String loraId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\","
                            + "\"priorPreservation\":false,\"resolution\":64,\"maxTrainSteps\":4,\"rank\":2}")
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            TrainingCompleted full = probe.await(TrainingCompleted.class, fullId, WAIT).payload();
            assertEquals(50, full.steps());
            String modelId = "ft-" + fullId;
            assertEquals(modelId, full.modelId());
            stat(Buckets.ADAPTERS, full.adapterKey()); // the A1111 single file
            probe.await(TrainingCompleted.class, loraId, WAIT);

            // the registry lists it with its lineage, and the gateway sees it
            String lineage = "find { it.id == '" + modelId + "' }.manifest.lineage";
            Instant deadline = Instant.now().plusSeconds(30); // the gateway lists models afresh every few seconds
            while (gateway().get("/api/v1/models").then().extract().path(lineage) == null
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(500);
            }
            gateway().get("/api/v1/models").then().statusCode(200)
                    .body(lineage + ".kind", org.hamcrest.Matchers.is("finetune"))
                    .body(lineage + ".baseModel", org.hamcrest.Matchers.is("sd-tiny"))
                    .body(lineage + ".trainingId", org.hamcrest.Matchers.is(fullId));

            // the fine-tune with a LoRA trained on its base, through the gateway and the sampler
            String generationId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + modelId + "\",\"prompt\":\"a photo of sks dog\",\"steps\":4,"
                            + "\"seed\":3,\"width\":64,\"height\":64,\"loras\":[{\"trainingId\":\"" + loraId + "\","
                            + "\"unetScale\":1.0,\"textEncoderScale\":1.0}]}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            GenerationCompleted generated = probe.await(GenerationCompleted.class, generationId, WAIT).payload();
            String png = new String(read(Buckets.GENERATIONS, generated.images().get(0).key()),
                    StandardCharsets.ISO_8859_1);
            assertTrue(png.contains("<lora:"), "PNG with the adapter's infotext");
        }
    }

    @Test
    void cannyControlNetsOnAnUploadedAndADatasetImageWithATrainedLoraSteerAGenerationWhosePngCarriesThemAll()
            throws Exception {
        FixtureModels.controlNet(stack, settings, "canny-tiny");
        gateway().get("/api/v1/models").then().body("find { it.id == 'canny-tiny' }.kind",
                org.hamcrest.Matchers.is("controlnet"));

        try (EventProbe probe = new EventProbe(stack.infra().kafkaBootstrap())) {
            String datasetId = dataset(probe);
            String loraId = gateway().contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"sd-tiny\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\","
                            + "\"priorPreservation\":false,\"resolution\":64,\"maxTrainSteps\":4,\"rank\":2}")
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
            probe.await(TrainingCompleted.class, loraId, WAIT);
            String request = "{\"baseModel\":\"sd-tiny\",\"prompt\":\"a photo of sks dog\",\"steps\":4,"
                    + "\"seed\":5,\"width\":64,\"height\":64,\"loras\":[{\"trainingId\":\"" + loraId + "\","
                    + "\"unetScale\":1.0,\"textEncoderScale\":1.0}]";
            String photo = Base64.getEncoder().encodeToString(TestImages.png(96, 80));
            String datasetImage = gateway().get("/api/v1/datasets/" + datasetId).then().extract().path("images[0].key");
            String controlled = gateway().contentType(ContentType.JSON)
                    .body(request + ",\"controls\":[{\"model\":\"canny-tiny\",\"image\":\"" + photo + "\","
                            + "\"preprocessor\":\"canny\",\"scale\":1.5,\"guidanceEnd\":0.8},"
                            + "{\"model\":\"canny-tiny\",\"datasetImage\":{\"datasetId\":\"" + datasetId + "\","
                            + "\"key\":\"" + datasetImage + "\"},\"preprocessor\":\"canny\",\"scale\":0.5}]}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            String plain = gateway().contentType(ContentType.JSON).body(request + "}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            GenerationCompleted withControl = probe.await(GenerationCompleted.class, controlled, WAIT).payload();
            GenerationCompleted without = probe.await(GenerationCompleted.class, plain, WAIT).payload();

            // the canny maps (the second of the dataset photo, read where it is stored) beside the image; the first:
            // the disc's outline at the output size, shown in the view
            assertEquals(List.of(Buckets.generationControlMapKey(OWNER, controlled, 0),
                    Buckets.generationControlMapKey(OWNER, controlled, 1)), withControl.controlMapKeys());
            BufferedImage map = ImageIO.read(new ByteArrayInputStream(
                    read(Buckets.GENERATIONS, withControl.controlMapKeys().get(0))));
            assertEquals(64, map.getWidth());
            long edges = 0;
            for (int y = 0; y < map.getHeight(); y++) {
                for (int x = 0; x < map.getWidth(); x++) {
                    edges += (map.getRGB(x, y) & 0xFF) == 255 ? 1 : 0;
                }
            }
            assertTrue(edges > 20 && edges < 64 * 64 / 2, "an outline, not a blank or full map: " + edges);
            gateway().get("/api/v1/generations/" + controlled).then().statusCode(200)
                    .body("controlMaps[0].url", org.hamcrest.Matchers.startsWith("http"));

            byte[] steered = read(Buckets.GENERATIONS, withControl.images().get(0).key());
            String infotext = parameters(steered);
            // A1111's fields: the unit with the installed ControlNet's hash and the request's numbers, and the LoRA
            assertTrue(Pattern.compile("ControlNet 0: \"Module: canny, Model: canny-tiny \\[[0-9a-f]{8,}], "
                    + "Weight: 1\\.5, Guidance Start: 0, Guidance End: 0\\.8\"").matcher(infotext).find(), infotext);
            assertTrue(infotext.contains("ControlNet 1: \"Module: canny, Model: canny-tiny ["), infotext);
            assertTrue(infotext.contains("Weight: 0.5, Guidance Start: 0, Guidance End: 1\""), infotext);
            assertTrue(Pattern.compile("<lora:[^>]+>").matcher(infotext).find(), infotext);
            assertTrue(infotext.contains("Lora hashes: "), infotext);
            assertFalse(Arrays.equals(pixels(steered),
                    pixels(read(Buckets.GENERATIONS, without.images().get(0).key()))),
                    "the ControlNet changed the image of the same seed and settings");
        }
    }

    /** The PNG's A1111 parameters text: its uncompressed tEXt chunk (the engine writes Latin-1 text so). */
    private static String parameters(byte[] png) {
        String text = new String(png, StandardCharsets.ISO_8859_1);
        int type = text.indexOf("tEXtparameters\0");
        assertTrue(type >= 4, "a PNG without a parameters chunk");
        int length = java.nio.ByteBuffer.wrap(png, type - 4, 4).getInt();
        return text.substring(type + "tEXtparameters\0".length(), type + 4 + length);
    }

    private static int[] pixels(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** One photo uploaded through the gateway and processed by dataset-service. */
    private static String dataset(EventProbe probe) throws Exception {
        String datasetId = gateway().multiPart("images", "rex.png", TestImages.png(640, 560), "image/png")
                .multiPart("instancePrompt", "a photo of sks dog")
                .post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
        probe.await(DatasetReady.class, datasetId, WAIT);
        awaitViewStatus("/api/v1/datasets/" + datasetId, "READY"); // what a training request is checked against
        return datasetId;
    }

    private static int pointerStep(String trainingId) throws Exception {
        String pointer = new String(read(Buckets.CHECKPOINTS, Buckets.checkpointPrefix(OWNER, trainingId)
                + "checkpoint.json"), StandardCharsets.UTF_8);
        Matcher step = Pattern.compile("\"step\"\\s*:\\s*(\\d+)").matcher(pointer);
        assertTrue(step.find(), pointer);
        return Integer.parseInt(step.group(1));
    }

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

    /** Waits until the gateway's view of a job shows {@code status} (its views follow the events a moment later). */
    private static void awaitViewStatus(String path, String status) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (!status.equals(gateway().get(path).then().extract().path("status"))) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(path + " is not " + status + " after " + WAIT);
            }
            Thread.sleep(200);
        }
    }

    private static void stat(String bucket, String key) throws Exception {
        s3().statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
    }
}
