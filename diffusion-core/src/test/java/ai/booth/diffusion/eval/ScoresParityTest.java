package ai.booth.diffusion.eval;

import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The eval fixture's scores case end to end: image files and prompts through the processors, tokenizer and encoders
 * to the cosine matrices, within the scores tolerance.
 */
class ScoresParityTest {

    private static Reference ref;
    private static NDManager manager;
    private static EvalEncoders encoders;

    @BeforeAll
    static void load() {
        ref = Reference.load("eval");
        manager = NDManager.newBaseManager();
        encoders = EvalEncoders.load(modelDir("clip"), modelDir("dino"), EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        encoders.close();
        manager.close();
        ref.close();
    }

    private static Path modelDir(String caseName) {
        return Reference.fixturesDir().resolve(ref.testCase(caseName).get("model").asText());
    }

    /** The preprocess case's images in the scores case's order (matched by file name). */
    static List<RgbImage> imagesInScoreOrder(Reference ref) {
        List<RgbImage> images = new ArrayList<>();
        for (JsonNode name : ref.testCase("scores").get("order")) {
            for (JsonNode path : ref.testCase("preprocess").get("images")) {
                Path file = Reference.fixturesDir().resolve(path.asText());
                if (file.getFileName().toString().equals(name.asText())) {
                    images.add(RgbImage.read(file));
                }
            }
        }
        return images;
    }

    private void assertScores(String expected, double[][] actual) {
        float[] flat = new float[actual.length * actual[0].length];
        for (int i = 0; i < actual.length; i++) {
            for (int j = 0; j < actual[i].length; j++) {
                flat[i * actual[i].length + j] = (float) actual[i][j];
            }
        }
        NDArray a = manager.create(flat, new Shape(actual.length, actual[0].length));
        Reference.assertClose(expected, a, ref.tensor(expected, manager), ref.tolerance("scores"));
    }

    @Test
    void cosineMatricesFromImageFilesAndPromptsMatchTheCase() {
        List<RgbImage> images = imagesInScoreOrder(ref);
        List<String> prompts = new ArrayList<>();
        ref.testCase("clip").get("prompts").forEach(p -> prompts.add(p.asText()));
        float[][] clip = encoders.clipImageEmbeds(images);
        float[][] dino = encoders.dinoEmbeds(images);
        JsonNode outputs = ref.testCase("scores").get("outputs");
        // outputs in order: clip_i (images × images), clip_t (images × prompts), dino (images × images)
        assertScores(outputs.get(0).asText(), Similarity.cosines(clip, clip));
        assertScores(outputs.get(1).asText(), Similarity.cosines(clip, encoders.clipTextEmbeds(prompts)));
        assertScores(outputs.get(2).asText(), Similarity.cosines(dino, dino));
    }

    @Test
    void aTrainingsScoresPairEachGeneratedImageWithItsOwnPromptAndEveryRealImage() {
        List<RgbImage> images = imagesInScoreOrder(ref);
        List<String> prompts = new ArrayList<>();
        ref.testCase("clip").get("prompts").forEach(p -> prompts.add(p.asText()));
        JsonNode outputs = ref.testCase("scores").get("outputs");
        float[] clipT = ref.tensor(outputs.get(1).asText(), manager).toFloatArray();
        float[] dino = ref.tensor(outputs.get(2).asText(), manager).toFloatArray();
        int n = images.size();
        // the first image is the real one; every other image was generated from prompt (i - 1) mod prompts
        List<String> imagePrompts = new ArrayList<>();
        double expectedClipT = 0;
        double expectedDino = 0;
        for (int i = 1; i < n; i++) {
            int p = (i - 1) % prompts.size();
            imagePrompts.add(prompts.get(p));
            expectedClipT += clipT[i * prompts.size() + p] / (n - 1);
            expectedDino += dino[i * n] / (n - 1);
        }

        SubjectFidelity scores = SubjectFidelity.score(encoders, images.subList(0, 1), images.subList(1, n),
                imagePrompts, List.of());

        Reference.Tolerance tol = ref.tolerance("scores");
        assertEquals(expectedClipT, scores.clipT(), tol.atol() + tol.rtol() * Math.abs(expectedClipT));
        assertEquals(expectedDino, scores.dino(), tol.atol() + tol.rtol() * Math.abs(expectedDino));
        assertEquals(n - 1, scores.pairs());
    }
}
