package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelCache;
import ai.booth.service.models.ModelCacheException;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.BoothInfraResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker cache against the real S3 server: disk LRU by bytes, leases, hash checks, adapters by ETag, and the
 * embedding file a pivotal LoRA names, fetched beside it.
 */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ModelCacheTest {

    private static final String SINGLE = "sd-tiny-single";

    @Inject
    ObjectStore store;

    @Inject
    ModelRegistry registry;

    @Test
    void leastRecentlyUsedFilesGoWhenTheBudgetIsExceededButNeverALoadedModel(@TempDir Path dir) throws IOException {
        ModelManifest folder = registry.manifest(SamplerFixture.MODEL).orElseThrow();
        ModelManifest single = registry.install(SamplerFixture.FIXTURES.resolve("model.ckpt.safetensors"), SINGLE,
                null, SamplerFixture.FIXTURES.resolve("model").toString());
        SamplerFixture.installAdapter(store);
        long adapterBytes = Files.size(SamplerFixture.FIXTURES.resolve("lora/peft.safetensors"));
        long budget = Math.max(folder.sizeBytes(), single.sizeBytes()) + adapterBytes + 1024; // one model fits

        try (ModelCache cache = new ModelCache(registry, store, dir, budget, 1, EngineOptions.defaults())) {
            try (var first = cache.model(folder.id())) {
                assertEquals(folder.contentHash(), first.model().contentHash());
                try (var second = cache.model(SINGLE)) {
                    assertEquals(single.contentHash(), second.model().contentHash());
                    assertEquals(List.of(folder.id(), SINGLE), cache.loadedModels(), "both leased: both loaded");
                    assertEquals(2, entries(dir, "model-").size(), "a leased model's files are never evicted");
                    assertTrue(cache.diskBytes() > budget);
                }
            }
            assertEquals(1, cache.loadedModels().size(), "one loaded model at most once leases are closed");
            try (var again = cache.model(SINGLE)) {
                assertEquals(single.contentHash(), again.model().contentHash());
            }
            assertEquals(List.of(SINGLE), cache.loadedModels());
            try (var adapter = cache.adapter(SamplerFixture.ADAPTER_KEY)) {
                assertTrue(Files.isRegularFile(adapter.path()));
            }
            assertEquals(1, entries(dir, "model-").size(), "the unloaded, least recently used model made room");
            assertTrue(entries(dir, "model-").get(0).startsWith("model-" + SINGLE + "-"));
            assertTrue(cache.diskBytes() <= budget, cache.diskBytes() + " > " + budget);
        }
    }

    /** A full fine-tune frees its base UNet: the cache hands the model over, and later leases load it afresh. */
    @Test
    void aModelTakenOverByOneLeaseLeavesTheCacheAndIsClosedWithThatLease(@TempDir Path dir) {
        String id = SamplerFixture.MODEL;
        try (ModelCache cache = new ModelCache(registry, store, dir, Long.MAX_VALUE, 2, EngineOptions.defaults())) {
            StableDiffusionModel taken;
            try (var first = cache.model(id)) {
                try (var second = cache.model(id)) {
                    assertFalse(second.takeOver(), "another lease holds it");
                }
                assertTrue(first.takeOver());
                assertTrue(first.takeOver(), "asking again answers the same");
                assertEquals(List.of(), cache.loadedModels(), "out of the cache");
                taken = first.model();
                assertFalse(taken.unet().parameters().values().iterator().next().isReleased(), "open while leased");
                try (var other = cache.model(id)) {
                    assertNotSame(taken, other.model(), "the next lease loads it again");
                }
            }
            assertTrue(taken.unet().parameters().values().iterator().next().isReleased(), "closed with its lease");
            assertEquals(List.of(id), cache.loadedModels(), "the reloaded one stays cached");
        }
    }

    @Test
    void aModelWhoseWeightsDoNotHashToItsManifestIsRefusedAndDropped(@TempDir Path dir) {
        ModelManifest tampered = registry.install(SamplerFixture.FIXTURES.resolve("model"), "tampered", null, null);
        String wrongHash = "0".repeat(64);
        store.put(Buckets.MODELS, ModelRegistry.objectKey("tampered", ModelRegistry.MANIFEST),
                new String(store.get(Buckets.MODELS, ModelRegistry.objectKey("tampered", ModelRegistry.MANIFEST)),
                        StandardCharsets.UTF_8).replace(tampered.contentHash(), wrongHash)
                        .getBytes(StandardCharsets.UTF_8), "application/json");

        try (ModelCache cache = new ModelCache(registry, store, dir, Long.MAX_VALUE, 1, EngineOptions.defaults())) {
            ModelCacheException e = assertThrows(ModelCacheException.class, () -> cache.model("tampered"));
            assertEquals(ModelCacheException.MODEL_CORRUPT, e.code());
            assertTrue(e.getMessage().contains(tampered.contentHash()) && e.getMessage().contains(wrongHash),
                    e.getMessage());
            assertTrue(cache.loadedModels().isEmpty());
            assertEquals(0, cache.diskBytes(), "the bad files are not kept");
            assertEquals(ModelCacheException.MODEL_NOT_FOUND,
                    assertThrows(ModelCacheException.class, () -> cache.model("never-installed")).code());
        }
    }

    @Test
    void anAdapterIsCachedByKeyAndEtag(@TempDir Path dir) throws IOException {
        String key = "carol/t9/adapter.safetensors";
        store.put(Buckets.ADAPTERS, key, "first".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        try (ModelCache cache = new ModelCache(registry, store, dir, Long.MAX_VALUE, 1, EngineOptions.defaults())) {
            Path first;
            try (var lease = cache.adapter(key)) {
                first = lease.path();
                assertEquals("adapter.safetensors", first.getFileName().toString());
            }
            try (var lease = cache.adapter(key)) {
                assertEquals(first, lease.path(), "unchanged object: the cached copy");
            }
            store.put(Buckets.ADAPTERS, key, "second".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
            try (var lease = cache.adapter(key)) {
                assertNotEquals(first, lease.path());
                assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(lease.path()));
            }
        }
        try (ModelCache reopened = new ModelCache(registry, store, dir, Long.MAX_VALUE, 1, EngineOptions.defaults())) {
            assertFalse(entries(dir, "adapter-").isEmpty());
            assertTrue(reopened.diskBytes() > 0, "entries of an earlier run are adopted");
        }
    }

    @Test
    void aLoraComesWithTheEmbeddingFileItsMetadataNamesBesideIt(@TempDir Path dir, @TempDir Path files)
            throws IOException {
        Map<String, Path> pivotal = SamplerFixture.pivotalFiles(files);
        SamplerFixture.upload(store, "dave/pivotal-1/", pivotal);
        Path embedding = pivotal.get(SamplerFixture.EMBEDDING + ".safetensors");
        try (ModelCache cache = new ModelCache(registry, store, dir, Long.MAX_VALUE, 1, EngineOptions.defaults())) {
            try (var lora = cache.adapter("dave/pivotal-1/" + SamplerFixture.LORA_FILE)) {
                assertEquals(SamplerFixture.LORA_FILE, lora.path().getFileName().toString());
                Path beside = lora.path().resolveSibling(SamplerFixture.EMBEDDING + ".safetensors");
                assertArrayEquals(Files.readAllBytes(embedding), Files.readAllBytes(beside));
                assertEquals(List.of(SamplerFixture.LORA_FILE, SamplerFixture.EMBEDDING + ".safetensors"),
                        names(lora.path().getParent()), "only the named file comes along, not the kohya copy");
                assertEquals(Files.size(pivotal.get(SamplerFixture.LORA_FILE)) + Files.size(embedding),
                        cache.diskBytes(), "the entry counts both files");
            }
            try (var alone = cache.adapter("dave/pivotal-1/" + SamplerFixture.EMBEDDING + ".safetensors")) {
                assertEquals(List.of(SamplerFixture.EMBEDDING + ".safetensors"), names(alone.path().getParent()),
                        "an embedding file names nothing beside it");
                assertArrayEquals(Files.readAllBytes(embedding), Files.readAllBytes(alone.path()));
            }
        }
    }

    @Test
    void aLoraWhoseNamedEmbeddingFileIsNotInTheBucketIsRefusedNamingIt(@TempDir Path dir, @TempDir Path files) {
        Map<String, Path> pivotal = SamplerFixture.pivotalFiles(files);
        SamplerFixture.upload(store, "dave/pivotal-2/", Map.of(SamplerFixture.LORA_FILE,
                pivotal.get(SamplerFixture.LORA_FILE)));
        try (ModelCache cache = new ModelCache(registry, store, dir, Long.MAX_VALUE, 1, EngineOptions.defaults())) {
            ModelCacheException e = assertThrows(ModelCacheException.class,
                    () -> cache.adapter("dave/pivotal-2/" + SamplerFixture.LORA_FILE));
            assertEquals(ModelCacheException.ADAPTER_NOT_FOUND, e.code());
            assertTrue(e.getMessage().contains("'dave/pivotal-2/" + SamplerFixture.EMBEDDING + ".safetensors'"),
                    e.getMessage());
            assertEquals(0, cache.diskBytes(), "nothing is kept of the refused adapter");
        }
    }

    @Test
    void anEmbeddingFetchedBesideALoraMakesRoomWithinTheBudget(@TempDir Path dir, @TempDir Path files)
            throws IOException {
        Map<String, Path> pivotal = SamplerFixture.pivotalFiles(files);
        SamplerFixture.upload(store, "erin/pivotal-1/", pivotal);
        byte[] small = "not a safetensors file".getBytes(StandardCharsets.UTF_8);
        store.put(Buckets.ADAPTERS, "erin/other/small.safetensors", small, "application/octet-stream");
        long lora = Files.size(pivotal.get(SamplerFixture.LORA_FILE));
        long embedding = Files.size(pivotal.get(SamplerFixture.EMBEDDING + ".safetensors"));
        long budget = small.length + lora + embedding - 1; // the LoRA alone would fit beside the small file

        try (ModelCache cache = new ModelCache(registry, store, dir, budget, 1, EngineOptions.defaults())) {
            cache.adapter("erin/other/small.safetensors").close();
            assertEquals(small.length, cache.diskBytes());
            try (var pivotalLease = cache.adapter("erin/pivotal-1/" + SamplerFixture.LORA_FILE)) {
                assertTrue(Files.isRegularFile(pivotalLease.path().resolveSibling(SamplerFixture.EMBEDDING
                        + ".safetensors")));
                assertEquals(lora + embedding, cache.diskBytes(), "the small adapter made room for the embedding");
            }
        }
        try (ModelCache tooSmall = new ModelCache(registry, store, dir.resolve("small"), lora + embedding - 1, 1,
                EngineOptions.defaults())) {
            ModelCacheException e = assertThrows(ModelCacheException.class,
                    () -> tooSmall.adapter("erin/pivotal-1/" + SamplerFixture.LORA_FILE));
            assertEquals(ModelCacheException.CACHE_TOO_SMALL, e.code(), e.getMessage());
            assertEquals(0, tooSmall.diskBytes());
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> entries(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }
}
