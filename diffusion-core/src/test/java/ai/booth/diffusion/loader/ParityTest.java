package ai.booth.diffusion.loader;

import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.vae.DiagonalGaussian;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference cases text_encoder, unet and vae, computed by the models loaded from the diffusers folder and from
 * the single original-layout file (with the folder's configs). Inputs, outputs and tolerance come from reference.json.
 */
class ParityTest {

    private static Reference ref;
    private static StableDiffusionModel folder;
    private static StableDiffusionModel single;
    private static NDManager manager;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        manager = NDManager.newBaseManager();
        folder = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        Path file = ref.dir().resolve("model.ckpt.safetensors");
        single = SingleFileLoader.load(file, ref.modelDir().toString(), EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        folder.close();
        single.close();
        manager.close();
        ref.close();
    }

    /** The models are shared by all cases; JUnit must not close them after each one. */
    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("diffusers folder", folder), Arguments.of("single file", single));
    }

    private static NDArray tensor(String reference) {
        return CaseTensors.load(ref, reference, manager);
    }

    private static void assertMatches(String source, String expected, NDArray actual) {
        Reference.assertClose(source + ": " + expected, actual, tensor(expected), ref.tolerance("float32"));
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("models")
    void textEncoderLastAndPenultimateLayer(String source, StableDiffusionModel model) {
        JsonNode c = ref.testCase("text_encoder");
        NDArray ids = tensor(c.get("inputs").asText());
        JsonNode outputs = c.get("outputs");
        for (int i = 0; i < outputs.size(); i++) {
            // outputs in order: clip skip 1 (last layer), clip skip 2 (penultimate layer), ...
            assertMatches(source, outputs.get(i).asText(), model.textEncoder().forward(ids, i + 1));
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("models")
    void unet(String source, StableDiffusionModel model) {
        JsonNode c = ref.testCase("unet");
        JsonNode in = c.get("inputs");
        NDArray out = model.unet().forward(tensor(in.get(0).asText()), tensor(in.get(1).asText()),
                tensor(in.get(2).asText()));
        assertMatches(source, c.get("output").asText(), out);
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("models")
    void vaeEncode(String source, StableDiffusionModel model) {
        JsonNode c = ref.testCase("vae").get("encode");
        DiagonalGaussian posterior = model.vae().encode(tensor(c.get("input").asText()));
        assertMatches(source, c.get("outputs").get(0).asText(), posterior.mean());
        assertMatches(source, c.get("outputs").get(1).asText(), posterior.logvar());
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("models")
    void vaeDecode(String source, StableDiffusionModel model) {
        JsonNode c = ref.testCase("vae");
        assertEquals(c.get("scaling_factor").asDouble(), model.vae().scalingFactor(), 1e-7);
        assertMatches(source, c.at("/decode/output").asText(), model.vae().decode(tensor(c.at("/decode/input").asText())));
    }
}
