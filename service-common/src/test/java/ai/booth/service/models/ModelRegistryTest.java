package ai.booth.service.models;

import ai.booth.contracts.Buckets;
import ai.booth.diffusion.loader.ModelCheck;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import io.minio.MinioClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry against a real S3 server. This module has no PyTorch natives on its class path, so these tests also
 * show that vetting a model needs no native engine.
 */
class ModelRegistryTest {

    private static final Path FIXTURES = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny"));
    private static final Path MODEL = FIXTURES.resolve("model");

    private static BoothInfraResource infra;
    private static ObjectStore store;
    private static ModelRegistry registry;

    @BeforeAll
    static void start() {
        infra = new BoothInfraResource();
        Map<String, String> config = infra.start();
        store = new ObjectStore(MinioClient.builder().endpoint(config.get("booth.s3.endpoint")).region("us-east-1")
                .credentials(config.get("booth.s3.access-key"), config.get("booth.s3.secret-key")).build());
        registry = new ModelRegistry(store);
    }

    @AfterAll
    static void stop() {
        infra.stop();
    }

    @Test
    void installsAFolderWithItsEngineHashAndListsIt() {
        ModelManifest manifest = registry.install(MODEL, "folder-model", "Folder model", null);
        ModelCheck check = ModelCheck.of(MODEL, null);

        assertEquals(ModelManifest.FOLDER, manifest.kind());
        assertEquals(check.contentHash(), manifest.contentHash());
        assertEquals(check.resolution(), manifest.resolution());
        assertEquals(ModelCheck.FOLDER, manifest.configSource());
        assertNull(manifest.weights());
        assertEquals(manifest.files().stream().mapToLong(ModelManifest.ModelFile::sizeBytes).sum(),
                manifest.sizeBytes());
        for (ModelManifest.ModelFile file : manifest.files()) {
            assertEquals(file.sizeBytes(), store.stat(Buckets.MODELS, "folder-model/" + file.path()).orElseThrow()
                    .size(), file.path());
        }
        assertTrue(manifest.files().stream().anyMatch(f -> f.path().equals("unet/diffusion_pytorch_model.safetensors")));
        assertTrue(manifest.files().stream().anyMatch(f -> f.path().startsWith("tokenizer/")));
        assertEquals(manifest, registry.manifest("folder-model").orElseThrow());
        assertTrue(registry.list().contains(manifest));
    }

    @Test
    void installsASingleFileWithItsCompanionConfigs() {
        Path file = FIXTURES.resolve("model.ckpt.safetensors");
        ModelManifest manifest = registry.install(file, "single-model", null, MODEL.toString());

        assertEquals(ModelManifest.SINGLE_FILE, manifest.kind());
        assertEquals("single-model", manifest.name());
        assertEquals(ModelCheck.COMPANION, manifest.configSource());
        assertEquals(file.getFileName().toString(), manifest.weights());
        assertEquals(ModelCheck.of(file, MODEL.toString()).contentHash(), manifest.contentHash());
        assertTrue(store.exists(Buckets.MODELS, "single-model/" + ModelRegistry.COMPANION_PREFIX + "unet/config.json"));
        assertTrue(store.exists(Buckets.MODELS, "single-model/" + ModelRegistry.COMPANION_PREFIX
                + "tokenizer/vocab.json"));
        assertFalse(manifest.files().stream().anyMatch(f -> f.path().endsWith("diffusion_pytorch_model.safetensors")),
                "a companion folder's weights are not uploaded");
    }

    @Test
    void installsTheEvaluationEncodersWithTheirRolesAndListsOneOfEachRole() {
        ModelManifest clip = registry.installEncoder(FIXTURES.resolve("eval/clip"), "enc-clip", null);
        ModelManifest dino = registry.installEncoder(FIXTURES.resolve("eval/dino"), "enc-dino", "DINO");

        assertEquals(ModelManifest.ENCODER, clip.type());
        assertEquals("clip", clip.configSource());
        assertEquals("dino", dino.configSource());
        assertTrue(clip.files().stream().anyMatch(f -> f.path().equals("merges.txt")), clip.files().toString());
        assertTrue(dino.files().stream().anyMatch(f -> f.path().equals("preprocessor_config.json")));
        assertEquals(clip, registry.manifest("enc-clip").orElseThrow());
        Map<String, ModelManifest> encoders = registry.encoders();
        assertEquals("enc-clip", encoders.get("clip").id());
        assertEquals("enc-dino", encoders.get("dino").id());
    }

    @Test
    void refusesAnEncoderFolderWithoutItsTokenizerBeforeStoringAnything(@TempDir Path tmp) throws IOException {
        Path source = FIXTURES.resolve("eval/clip");
        try (var files = Files.list(source)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals("merges.txt")).toList()) {
                Files.copy(file, tmp.resolve(file.getFileName()));
            }
        }
        ModelInstallException e = assertThrows(ModelInstallException.class,
                () -> registry.installEncoder(tmp, "no-merges", null));

        assertTrue(e.getMessage().contains("merges.txt"), e.getMessage());
        assertFalse(store.hasPrefix(Buckets.MODELS, "no-merges/"));
        assertThrows(ModelInstallException.class, () -> registry.installEncoder(MODEL, "not-encoder", null));
    }

    @Test
    void refusesPicklesBeforeStoringAnything(@TempDir Path tmp) throws IOException {
        Path ckpt = Files.write(tmp.resolve("model.ckpt"), new byte[] {(byte) 0x80, 2});
        ModelInstallException e = assertThrows(ModelInstallException.class,
                () -> registry.install(ckpt, "pickled", null, "sd15"));

        assertTrue(e.getMessage().contains("'pickled'") && e.getMessage().contains("pickle"), e.getMessage());
        assertFalse(store.hasPrefix(Buckets.MODELS, "pickled/"));
    }

    @Test
    void aHalfInstalledModelIsInvisible() {
        store.put(Buckets.MODELS, "half/unet/config.json", "{}".getBytes(), "application/json");

        assertTrue(registry.manifest("half").isEmpty());
        assertFalse(registry.list().stream().anyMatch(m -> m.id().equals("half")));
    }

    @Test
    void anIdKeepsItsContent() {
        registry.install(MODEL, "taken", null, null);
        ModelInstallException e = assertThrows(ModelInstallException.class, () -> registry.install(
                FIXTURES.resolve("model.ckpt.safetensors"), "taken", null, "sd15"));
        assertTrue(e.getMessage().contains("'taken'"), e.getMessage());
    }

    @Test
    void theDemoModelIsInstalledOnceEvenWhenServicesRace() {
        List<CompletableFuture<ModelManifest>> racing = List.of(
                CompletableFuture.supplyAsync(() -> registry.ensureDemoModel(MODEL)),
                CompletableFuture.supplyAsync(() -> registry.ensureDemoModel(MODEL)));
        ModelManifest first = racing.get(0).join();

        assertEquals(first.contentHash(), racing.get(1).join().contentHash());
        ModelManifest again = registry.ensureDemoModel(MODEL);
        assertEquals(ModelRegistry.DEMO_MODEL_ID, again.id());
        assertEquals(ModelRegistry.DEMO_MODEL_NAME, again.name());
        assertEquals(1, registry.list().stream().filter(m -> m.id().equals(ModelRegistry.DEMO_MODEL_ID)).count());
    }

    @Test
    void theWorldModelIsInstalledBesideTheDemoModelUnderItsOwnId() {
        ModelManifest demo = registry.ensureDemoModel(MODEL);
        ModelManifest world = registry.ensureWorldModel(MODEL);   // any diffusers folder will do for the registry

        assertEquals(ModelRegistry.WORLD_MODEL_ID, world.id());
        assertEquals(ModelRegistry.WORLD_MODEL_NAME, world.name());
        assertEquals(demo.contentHash(), world.contentHash());
        assertEquals(world, registry.ensureWorldModel(MODEL));
        assertEquals(List.of(ModelRegistry.WORLD_MODEL_ID, ModelRegistry.DEMO_MODEL_ID), registry.list().stream()
                .map(ModelManifest::id).filter(id -> id.equals(ModelRegistry.WORLD_MODEL_ID)
                        || id.equals(ModelRegistry.DEMO_MODEL_ID)).toList());
    }

    @Test
    void aNewerVersionOfAShippedModelReplacesTheInstalledOneWhileUsersIdsKeepTheirContent(@TempDir Path tmp)
            throws IOException {
        ModelManifest shipped = registry.ensureWorldModel(MODEL);
        Path newer = tmp.resolve("newer");
        try (Stream<Path> files = Files.walk(MODEL)) {
            for (Path file : files.toList()) {
                Files.copy(file, newer.resolve(MODEL.relativize(file).toString()));
            }
        }
        Path weights = newer.resolve("unet/diffusion_pytorch_model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1] ^= 1;   // one weight's last byte: other content, the same valid layout
        Files.write(weights, bytes);

        ModelManifest updated = registry.ensureWorldModel(newer);

        assertNotEquals(shipped.contentHash(), updated.contentHash());
        assertEquals(ModelCheck.of(newer, null).contentHash(), updated.contentHash());
        assertEquals(updated, registry.manifest(ModelRegistry.WORLD_MODEL_ID).orElseThrow());
        Path stored = tmp.resolve("stored.safetensors");
        store.download(Buckets.MODELS, ModelRegistry.objectKey(ModelRegistry.WORLD_MODEL_ID,
                "unet/diffusion_pytorch_model.safetensors"), stored, Long.MAX_VALUE);
        assertArrayEquals(bytes, Files.readAllBytes(stored), "the new weights are stored");
        assertThrows(ModelInstallException.class, () -> registry.install(MODEL, ModelRegistry.WORLD_MODEL_ID, null,
                null), "an install by hand still refuses other content under a taken id");
    }
}
