package ai.booth.gateway;

import ai.booth.contracts.Buckets;
import ai.booth.keys.ApiKey;
import ai.booth.keys.ApiKeyStore;
import ai.booth.service.ObjectStore;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.restassured.RestAssured.given;

/** Test callers: one real API key per owner in the gateway's key file, and a base model installed in S3. */
final class Api {

    static final String MODEL = "sd-test";
    private static final Map<String, ApiKeyStore.Created> KEYS = new ConcurrentHashMap<>();

    /** A request with the owner's API key (created on first use, tier standard). */
    static RequestSpecification as(String ownerId) {
        return given().header("Authorization", "Bearer " + created(ownerId, "standard").keyText());
    }

    static ApiKeyStore.Created created(String ownerId, String tier) {
        return KEYS.computeIfAbsent(ownerId + "/" + tier, k -> store().create(ownerId, "test", tier));
    }

    static ApiKey key(String ownerId) {
        return created(ownerId, "standard").key();
    }

    static ApiKeyStore store() {
        return new ApiKeyStore(ConfigProvider.getConfig().getValue("booth.gateway.keys-file", Path.class));
    }

    /** Installs base model {@link #MODEL}: a manifest and the fixture model's CLIP tokenizer. */
    static void installModel(ObjectStore store) {
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

    private Api() {
    }
}
