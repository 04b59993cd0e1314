package ai.booth.cli;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.pipeline.GenerationResult;
import ai.booth.diffusion.pipeline.Infotext;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.diffusion.testing.ControlNetToLdm;
import ai.booth.diffusion.testing.PipelineCase;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.booth.cli.BoothCliTest.booth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code booth generate} with ControlNets, in-process on the fixture model and its ControlNet. */
class ControlNetCliTest {

    private static Reference ref;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load("controlnet");
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    private Path controlImage(JsonNode c) {
        return PipelineCase.controlImage(ref, c);
    }

    /** The options that render a ControlNet pipeline case, everything from reference.json. */
    private List<String> caseArgs(String caseName, Path controlNet) throws Exception {
        JsonNode c = ref.testCase(caseName);
        Path latents = tmp.resolve(caseName + "-latents.safetensors");
        PipelineCase.writeInitialLatents(ref, c, latents);
        Path schedulerConfig = tmp.resolve(caseName + "-scheduler_config.json");
        Files.writeString(schedulerConfig, new ObjectMapper().writeValueAsString(c.get("scheduler_config")));
        List<String> args = new ArrayList<>(List.of("generate", "--model", ref.modelDir().toString(),
                "--scheduler-config", schedulerConfig.toString(),
                "--prompt", c.get("prompt").asText(), "--negative", c.get("negative_prompt").asText(),
                "--steps", c.get("steps").asText(), "--guidance", c.get("guidance_scale").asText(),
                "--scheduler", PipelineCase.schedulerLabel(c), "--initial-latents", latents.toString(),
                "--controlnet", controlNet.toString(), "--control-image", controlImage(c).toString(),
                "--control-scale", c.get("controlnet_conditioning_scale").asText(),
                "--control-start", c.get("control_guidance_start").asText(),
                "--control-end", c.get("control_guidance_end").asText(),
                "--quiet", "--out", tmp.resolve("out").toString()));
        if (c.get("guess_mode").asBoolean()) {
            args.add("--guess-mode");
        }
        return args;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cn_pipeline", "cn_pipeline_guess"})
    void generateWithAControlNetReproducesTheReferencePipeline(String caseName) throws Exception {
        JsonNode c = ref.testCase(caseName);
        Path tensor = tmp.resolve(caseName + ".safetensors");
        List<String> args = caseArgs(caseName, ref.dir().resolve("model"));
        args.addAll(List.of("--save-tensor", tensor.toString()));
        BoothCliTest.Run run = booth(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        try (NDManager m = NDManager.newBaseManager(Device.cpu()); SafeTensors saved = SafeTensors.open(tensor)) {
            Reference.assertClose(caseName + " via the CLI", saved.load(GenerationResult.TENSOR_NAME, m),
                    ref.tensor(PipelineCase.output(c), m), ref.tolerance("pipeline"));
        }
        Path png = Path.of(run.lines().get(0));
        Map<String, String> fields = Infotext.fields(PngFiles.readParameters(png));
        String unit = fields.get("ControlNet 0");
        Matcher u = Pattern.compile("Module: none, Model: model \\[[0-9a-f]{8}], Weight: ([^,]+), Guidance Start: "
                + "([^,]+), Guidance End: ([^,]+)(, Guess Mode: True)?").matcher(unit);
        assertTrue(u.matches(), unit);
        assertEquals(c.get("controlnet_conditioning_scale").asDouble(), Double.parseDouble(u.group(1)), unit);
        assertEquals(c.get("control_guidance_start").asDouble(), Double.parseDouble(u.group(2)), unit);
        assertEquals(c.get("control_guidance_end").asDouble(), Double.parseDouble(u.group(3)), unit);
        assertEquals(c.get("guess_mode").asBoolean(), u.group(4) != null, unit);
        assertTrue(Files.isRegularFile(ControlMaps.besideResult(png, 0)), "the map fed is saved beside the result");
    }

    @Test
    void cannyMapIsSavedBesideTheResultAndFromPngReplaysTheImageExactly() throws Exception {
        JsonNode c = ref.testCase("cn_pipeline");
        Path single = tmp.resolve("control_tiny.safetensors");
        UNet2DConditionConfig unet = ControlNetToLdm.baseUnet(ref);
        ControlNetToLdm.write(ref.dir().resolve("model"), unet, single, "control_model.");
        Path first = tmp.resolve("first.safetensors");
        Path second = tmp.resolve("second.safetensors");
        Path out = tmp.resolve("replay");
        BoothCliTest.Run made = booth("generate", "--model", ref.modelDir().toString(), "-p", c.get("prompt").asText(),
                "--steps", "2", "--seed", "7", "--quiet", "--out", out.toString(), "--save-tensor", first.toString(),
                "--controlnet", single.toString(), "--control-image", controlImage(c).toString(),
                "--control-preprocess", "canny", "--control-scale", "0.6", "--control-end", "0.5");
        assertEquals(0, made.code(), made.err());
        Path png = Path.of(made.lines().get(0));
        BufferedImage map = ImageIO.read(ControlMaps.besideResult(png, 0).toFile());
        BufferedImage result = ImageIO.read(png.toFile());
        assertEquals(result.getWidth(), map.getWidth(), "the map is made at the output size");
        assertTrue(isBinaryGray(map), "a canny map is black and white edges");
        assertTrue(PngFiles.readParameters(png).contains("Module: canny, Model: control_tiny ["),
                PngFiles.readParameters(png));

        BoothCliTest.Run replay = booth("generate", "--model", ref.modelDir().toString(), "--from-png", png.toString(),
                "--controlnet-dir", tmp.toString(), "--quiet", "--out", out.toString(),
                "--save-tensor", second.toString());
        assertEquals(0, replay.code(), replay.err());
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             SafeTensors a = SafeTensors.open(first); SafeTensors b = SafeTensors.open(second)) {
            assertEquals(a.load("image", m), b.load("image", m), "bit-identical replay");
        }
        assertEquals(PngFiles.readParameters(png), PngFiles.readParameters(Path.of(replay.lines().get(0))));
    }

    @Test
    void inspectDescribesASingleFileControlNet() {
        Path single = tmp.resolve("control_tiny.safetensors");
        ControlNetToLdm.write(ref.dir().resolve("model"), ControlNetToLdm.baseUnet(ref), single, "");
        BoothCliTest.Run run = booth("inspect", single.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("controlnet ") && run.out().matches("(?s).*model hash\\s+[0-9a-f]{8}.*"),
                run.out());
    }

    private static boolean isBinaryGray(BufferedImage image) {
        boolean edges = false;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                if (rgb != 0 && rgb != 0xFFFFFF) {
                    return false;
                }
                edges |= rgb != 0;
            }
        }
        return edges;
    }
}
