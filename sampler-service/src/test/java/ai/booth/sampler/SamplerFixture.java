package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridSpec;
import ai.booth.contracts.LoraRef;
import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    /** The name of a pivotal training's embedding file (A1111 layout): {@code <name>.safetensors}. */
    static final String EMBEDDING = "sks_style";
    /** The new tokens of that training, one vector each. */
    static final List<String> TOKENS = List.of("<s1>", "<s2>");
    static final String LORA_FILE = "pytorch_lora_weights.safetensors";

    /**
     * Writes a pivotal training's files into {@code dir} as the trainer names them, by file name: the fixture LoRA
     * (same tensors) whose metadata names {@value #EMBEDDING}.safetensors ({@value TextualInversion#ADAPTER_KEY}),
     * and the embedding in both layouts, seeded random vectors for {@link #TOKENS}.
     */
    static Map<String, Path> pivotalFiles(Path dir) {
        Path peft = FIXTURES.resolve("lora/peft.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>(SafeTensors.readMetadata(peft));
        metadata.put(TextualInversion.ADAPTER_KEY, EMBEDDING + ".safetensors");
        Map<String, Path> files = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            SafeTensors.write(dir.resolve(LORA_FILE), SafeTensors.read(peft, manager), metadata);
            files.put(LORA_FILE, dir.resolve(LORA_FILE));
            int width = new ObjectMapper().readTree(FIXTURES.resolve("model/text_encoder/config.json").toFile())
                    .get("hidden_size").asInt();
            Random random = new Random(17);
            float[] vectors = new float[TOKENS.size() * width];
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = (float) random.nextGaussian();
            }
            for (Path file : TextualInversion.save(dir, EMBEDDING, TOKENS,
                    manager.create(vectors, new Shape(TOKENS.size(), width)), Map.of())) {
                files.put(file.getFileName().toString(), file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Uploads {@code files} (by file name) under {@code prefix} in the adapters bucket. */
    static void upload(ObjectStore store, String prefix, Map<String, Path> files) {
        files.forEach((name, file) -> store.put(Buckets.ADAPTERS, prefix + name, file, "application/octet-stream"));
    }

    /** The first 12 hex digits of a file's SHA-256: its short hash in infotexts. */
    static String shortHash(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)))
                    .substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
