package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridSpec;
import ai.booth.contracts.LoraRef;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** The tiny fixture model as installed by the service at start, its LoRA as a trained adapter, and PNG reading. */
final class SamplerFixture {

    static final Path FIXTURES = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny"));
    static final String MODEL = ModelRegistry.DEMO_MODEL_ID;
    /** Where the trainer puts an adapter: {@code <owner>/<trainingId>/<file>}. */
    static final String ADAPTER_KEY = "alice/training-1/pytorch_lora_weights.safetensors";

    private SamplerFixture() {
    }

    /** Uploads the fixture LoRA (random, non-zero factors) as alice's trained adapter. */
    static void installAdapter(ObjectStore store) {
        store.put(Buckets.ADAPTERS, ADAPTER_KEY, FIXTURES.resolve("lora/peft.safetensors"), "application/octet-stream");
    }

    /** The demo model's native size: requests use it so any fixture model works. */
    static int size(ModelRegistry registry) {
        return registry.manifest(MODEL).orElseThrow().resolution();
    }

    static GenerationRequested request(ModelRegistry registry, String prompt, long seed, int count,
                                       List<LoraRef> loras, GridSpec grid) {
        int size = size(registry);
        return new GenerationRequested("gen-" + UUID.randomUUID(), MODEL, prompt, "blurry", 3, 5.0, seed, count,
                size, size, "ddim", 0, loras, grid);
    }

    /** A stored PNG's pixels and parameters chunk. */
    record Png(BufferedImage image, String parameters) {
        int[] rgb() {
            return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        }
    }

    static Png png(ObjectStore store, String key) {
        try {
            Path file = Files.createTempFile("sampler-test-", ".png");
            try {
                Files.write(file, store.get(Buckets.GENERATIONS, key));
                return new Png(PngFiles.readImage(file), PngFiles.readParameters(file));
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
