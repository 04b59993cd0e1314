package ai.booth.gateway;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.CropBox;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.contracts.ImageReport;
import ai.booth.contracts.ReportTotals;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingRequested;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.restassured.http.ContentType;
import ai.booth.keys.ApiKey;
import ai.booth.keys.ApiKeyStore;
import ai.booth.service.ObjectStore;
import io.restassured.specification.RequestSpecification;
import io.smallrye.config.SmallRyeConfig;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

/** Test callers: one real API key per owner in the gateway's key file, and a base model installed in S3. */
public final class Api {

    public static final Duration WAIT = Duration.ofSeconds(30);
    public static final String MODEL = "sd-test";
    private static final Map<String, ApiKeyStore.Created> KEYS = new ConcurrentHashMap<>();

    /**
     * Waits until the gateway is ready: its views replay the shared test broker's topics after each start
     * ({@code ViewsReadinessCheck}), so a test that asks readiness right away could find it catching up.
     */
    public static void awaitReady() {
        await().atMost(WAIT).untilAsserted(() -> management().get("/q/health/ready").then().statusCode(200));
    }

    /** A request to the management interface (health, metrics), which is not the API's port. */
    public static RequestSpecification management() {
        return given().port(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class));
    }

    /** A request with the owner's API key (created on first use, tier standard). */
    public static RequestSpecification as(String ownerId) {
        return given().header("Authorization", "Bearer " + created(ownerId, "standard").keyText());
    }

    public static ApiKeyStore.Created created(String ownerId, String tier) {
        return KEYS.computeIfAbsent(ownerId + "/" + tier, k -> store().create(ownerId, "test", tier));
    }

    public static ApiKey key(String ownerId) {
        return created(ownerId, "standard").key();
    }

    public static ApiKeyStore store() {
        return new ApiKeyStore(ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                .getConfigMapping(GatewayConfig.class).keysFile());
    }

    /** Installs base model {@link #MODEL}: a manifest and the fixture model's CLIP tokenizer. */
    public static void installModel(ObjectStore store) {
        if (store.exists(Buckets.MODELS, MODEL + "/model.json")) {
            return;
        }
        Path tokenizer = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny"), "model", "tokenizer");
        try (var files = Files.list(tokenizer)) {
            for (Path file : files.toList()) {
                store.put(Buckets.MODELS, MODEL + "/tokenizer/" + file.getFileName(), file, "application/json");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.put(Buckets.MODELS, MODEL + "/model.json",
                "{\"name\":\"Test model\",\"resolution\":256}".getBytes(), "application/json");
    }

    /** What dataset-service answers for a one-image dataset version whose training image is {@code key}. */
    public static DatasetReady ready(String datasetId, int version, String key) {
        DatasetSettings settings = DatasetSettings.DEFAULT;
        ImageReport image = new ImageReport("a.png", key.replaceAll("processed/v\\d+/", "raw/"), "png", 100, 64, 48,
                1, false, null, new CropBox(8, 0, 48, 48), key, 512, 512, 150.0, false, "0123456789abcdef", null,
                "a photo of sks dog", "instancePrompt", List.of());
        DatasetReport report = new DatasetReport(datasetId, version, settings, "a photo of sks dog",
                List.of(image), List.of(), List.of(), new ReportTotals(1, 1, 0, 1, 0, 0, 0, 0));
        return new DatasetReady(datasetId, version, List.of(new DatasetImage(key, 512, 512, "image/png",
                "a photo of sks dog")), Buckets.datasetReportKey("o", datasetId), report);
    }

    /** Uploads a photo as the owner and answers for dataset-service: a READY dataset to train on. */
    public static String readyDataset(EventProbe probe, String ownerId) throws Exception {
        String datasetId = as(ownerId).multiPart("images", "a.png", TestImages.png(8, 8), "image/png")
                .when().post("/api/v1/datasets").then().statusCode(202).extract().path("datasetId");
        Event<DatasetIngested> ingested = probe.await(DatasetIngested.class, datasetId, WAIT);
        probe.publish(ingested.next(ready(datasetId, 1, Buckets.datasetProcessedKey(ownerId, datasetId, 1,
                "00.png"))));
        await().atMost(WAIT).untilAsserted(() -> as(ownerId).get("/api/v1/datasets/" + datasetId).then()
                .body("status", is("READY")));
        return datasetId;
    }

    /** A dataset's training image: its dataset and object key. */
    public record StoredImage(String datasetId, String key) {
    }

    /** A {@link #readyDataset} whose training image is stored in S3 too (as dataset-service leaves it). */
    public static StoredImage readyDatasetImage(EventProbe probe, ObjectStore store, String ownerId) throws Exception {
        String datasetId = readyDataset(probe, ownerId);
        String key = Buckets.datasetProcessedKey(ownerId, datasetId, 1, "00.png");
        store.put(Buckets.DATASETS, key, TestImages.png(16, 16), "image/png");
        return new StoredImage(datasetId, key);
    }

    /** Trains (as far as the gateway can tell): requests a training and answers TrainingCompleted for it. */
    public static String completedTraining(EventProbe probe, ObjectStore store, String ownerId) throws Exception {
        installModel(store);
        String datasetId = readyDataset(probe, ownerId);
        String trainingId = as(ownerId).contentType(ContentType.JSON)
                .body("{\"baseModel\":\"" + MODEL + "\",\"datasetId\":\"" + datasetId + "\",\"classNoun\":\"dog\"}")
                .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
        Event<TrainingRequested> requested = probe.await(TrainingRequested.class, trainingId, WAIT);
        String dir = ownerId + "/" + trainingId + "/";
        store.put(Buckets.ADAPTERS, dir + "pytorch_lora_weights.safetensors", "peft".getBytes(), "application/octet-stream");
        store.put(Buckets.ADAPTERS, dir + "lora_kohya.safetensors", "kohya".getBytes(), "application/octet-stream");
        probe.publish(requested.next(new TrainingCompleted(trainingId, dir + "pytorch_lora_weights.safetensors",
                500, 0.08, 1000, List.of(), List.of())));
        await().atMost(WAIT).untilAsserted(() -> as(ownerId).get("/api/v1/trainings/" + trainingId).then()
                .body("status", is("COMPLETED")));
        return trainingId;
    }

    private Api() {
    }
}
