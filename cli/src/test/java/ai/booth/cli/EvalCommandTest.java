package ai.booth.cli;

import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static ai.booth.cli.BoothCliTest.booth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code booth eval} on the eval fixture: the first image of the scores case as the real photo, the others as
 * generations, the clip case's first prompt; the scores must be the case matrices' entries for those pairs.
 */
class EvalCommandTest {

    private static Reference ref;
    private static NDManager manager;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load("eval");
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        ref.close();
    }

    private static Path fixture(String relative) {
        return Reference.fixturesDir().resolve(relative);
    }

    /** The preprocess case's image file with this name. */
    private static Path image(String name) {
        for (JsonNode path : ref.testCase("preprocess").get("images")) {
            if (fixture(path.asText()).getFileName().toString().equals(name)) {
                return fixture(path.asText());
            }
        }
        throw new IllegalStateException("no image " + name + " in the preprocess case");
    }

    /** Mean of matrix[g][column] over the generated rows g (an expected value: test side only). */
    private static double mean(String matrix, List<Integer> rows, int column) {
        NDArray m = ref.tensor(matrix, manager);
        double sum = 0;
        for (int g : rows) {
            sum += m.get(new NDIndex("{}, {}", g, column)).getFloat();
        }
        return sum / rows.size();
    }

    private static void assertScore(String what, double expected, JsonNode actual) {
        Reference.Tolerance t = ref.tolerance("scores");
        assertTrue(actual.isNumber(), what + " missing: " + actual);
        assertEquals(expected, actual.asDouble(), t.atol() + t.rtol() * Math.abs(expected), what);
    }

    @Test
    void evalWritesTheCaseScoresOfEveryGeneratedAndRealPair() throws Exception {
        JsonNode order = ref.testCase("scores").get("order");
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path generated = Files.createDirectories(tmp.resolve("generated"));
        Files.copy(image(order.get(0).asText()), real.resolve(order.get(0).asText()));
        List<Integer> generatedRows = new ArrayList<>();
        for (int i = 1; i < order.size(); i++) {
            Files.copy(image(order.get(i).asText()), generated.resolve(order.get(i).asText()));
            generatedRows.add(i);
        }
        Path json = tmp.resolve("scores.json");
        String prompt = ref.testCase("clip").get("prompts").get(0).asText();

        BoothCliTest.Run run = booth("eval", "--clip", fixture(ref.testCase("clip").get("model").asText()).toString(),
                "--dino", fixture(ref.testCase("dino").get("model").asText()).toString(),
                "--real", real.toString(), "--generated", generated.toString(), "--prompt", prompt,
                "--json", json.toString());

        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("DINO") && run.out().contains("CLIP-I") && run.out().contains("CLIP-T"),
                run.out());
        JsonNode scores = new ObjectMapper().readTree(Files.readString(json));
        JsonNode outputs = ref.testCase("scores").get("outputs");
        // outputs in order: clip_i (images × images), clip_t (images × prompts), dino (images × images)
        assertScore("dino", mean(outputs.get(2).asText(), generatedRows, 0), scores.get("dino"));
        assertScore("clip_i", mean(outputs.get(0).asText(), generatedRows, 0), scores.get("clip_i"));
        assertScore("clip_t", mean(outputs.get(1).asText(), generatedRows, 0), scores.get("clip_t"));
        assertEquals(generatedRows.size(), scores.get("pairs").asInt());
    }

    @Test
    void aMissingImageFolderIsBadInputOnOneLine() {
        BoothCliTest.Run run = booth("eval", "--clip", tmp.toString(), "--dino", tmp.toString(),
                "--real", tmp.resolve("nope").toString(), "--generated", tmp.toString(), "--prompt", "x");
        assertEquals(BoothCli.BAD_INPUT, run.code(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("nope"), run.err());
    }
}
