package ai.booth.diffusion.eval;

import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.loader.TransformersFolderLoader;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.NoGrad;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.vit.ViTModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The eval fixture's cases preprocess, clip and dino: the processors from the images, the encoders from the reference
 * pixels and ids. Model folders, inputs, outputs and tolerances come from eval/reference.json.
 */
class EncoderParityTest {

    private static Reference ref;
    private static NDManager manager;
    private static CLIPModel clip;
    private static ViTModel dino;
    private static NoGrad noGrad;

    @BeforeAll
    static void load() {
        ref = Reference.load("eval");
        manager = NDManager.newBaseManager();
        clip = TransformersFolderLoader.clip(modelDir("clip"), EngineOptions.defaults());
        dino = TransformersFolderLoader.vit(modelDir("dino"), EngineOptions.defaults());
        noGrad = NoGrad.enter();
    }

    @AfterAll
    static void close() {
        noGrad.close();
        clip.close();
        dino.close();
        manager.close();
        ref.close();
    }

    /** A case's model folder, given relative to the fixture root. */
    static Path modelDir(String caseName) {
        return Reference.fixturesDir().resolve(ref.testCase(caseName).get("model").asText());
    }

    private static NDArray tensor(String reference) {
        return CaseTensors.load(ref, reference, manager);
    }

    private static void assertMatches(String expected, NDArray actual, String tolerance) {
        Reference.assertClose(expected, actual, tensor(expected), ref.tolerance(tolerance));
    }

    static List<RgbImage> caseImages() {
        List<RgbImage> images = new ArrayList<>();
        for (JsonNode path : ref.testCase("preprocess").get("images")) {
            images.add(RgbImage.read(Reference.fixturesDir().resolve(path.asText())));
        }
        return images;
    }

    @Test
    void imagesPreprocessAsTheClipAndVitProcessorsDo() {
        List<RgbImage> images = caseImages();
        String clipPixels = CaseTensors.name(ref.testCase("clip").get("inputs").get(0).asText());
        String dinoPixels = CaseTensors.name(ref.testCase("dino").get("input").asText());
        assertMatches(clipPixels, EvalImageProcessor.read(modelDir("clip").resolve("preprocessor_config.json"))
                .batch(images, manager), "preprocess");
        assertMatches(dinoPixels, EvalImageProcessor.read(modelDir("dino").resolve("preprocessor_config.json"))
                .batch(images, manager), "preprocess");
    }

    @Test
    void clipImageEmbeddingsMatchFromPixels() {
        JsonNode c = ref.testCase("clip");
        assertMatches(c.get("outputs").get(0).asText(), clip.imageEmbeds(tensor(c.get("inputs").get(0).asText())),
                "float32");
    }

    @Test
    void clipTextEmbeddingsMatchFromIds() {
        JsonNode c = ref.testCase("clip");
        assertMatches(c.get("outputs").get(1).asText(), clip.textEmbeds(tensor(c.get("inputs").get(1).asText())),
                "float32");
    }

    @Test
    void theClipFoldersTokenizerGivesTheCaseIdsUpToTheEndToken() {
        JsonNode c = ref.testCase("clip");
        List<String> prompts = new ArrayList<>();
        c.get("prompts").forEach(p -> prompts.add(p.asText()));
        CLIPTokenizer tokenizer = CLIPTokenizer.fromFolder(modelDir("clip"));
        long[][] ids = tokenizer.encodeBatch(prompts);
        NDArray expected = tensor(c.get("inputs").get(1).asText());
        int n = (int) expected.getShape().get(1);
        long[] flat = expected.toLongArray();
        for (int row = 0; row < prompts.size(); row++) {
            // what follows the end token is padding, which the causal text tower never reads
            long[] want = Arrays.copyOfRange(flat, row * n, (row + 1) * n);
            int end = Arrays.stream(want).boxed().toList().indexOf((long) tokenizer.eosId()) + 1;
            assertTrue(end > 0, "no end token in the case ids of " + prompts.get(row));
            assertArrayEquals(Arrays.copyOf(want, end), Arrays.copyOf(ids[row], end), prompts.get(row));
        }
    }

    @Test
    void dinoClassEmbeddingsMatchFromPixels() {
        JsonNode c = ref.testCase("dino");
        assertMatches(c.get("output").asText(), dino.classEmbeds(tensor(c.get("input").asText())), "float32");
    }
}
