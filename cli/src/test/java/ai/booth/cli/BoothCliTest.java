package ai.booth.cli;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.pipeline.GenerationResult;
import ai.booth.diffusion.pipeline.Infotext;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.diffusion.pipeline.SweepAxis;
import ai.booth.diffusion.testing.PipelineCase;
import ai.booth.diffusion.testing.Reference;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI run in-process on the fixture model, as {@code ./booth} runs it. */
class BoothCliTest {

    private static Reference ref;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load();
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Run booth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BoothCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The options that render a reference text-to-image case, everything taken from reference.json. */
    private List<String> caseArgs(String caseName) throws Exception {
        JsonNode c = ref.testCase(caseName);
        Path latents = tmp.resolve(caseName + "-latents.safetensors");
        PipelineCase.writeInitialLatents(ref, c, latents);
        Path schedulerConfig = tmp.resolve(caseName + "-scheduler_config.json");
        Files.writeString(schedulerConfig, new ObjectMapper().writeValueAsString(c.get("scheduler_config")));
        List<String> args = new ArrayList<>(List.of("--model", ref.modelDir().toString(),
                "--scheduler-config", schedulerConfig.toString(),
                "--prompt", c.get("prompt").asText(), "--negative", c.get("negative_prompt").asText(),
                "--steps", c.get("steps").asText(), "--guidance", c.get("guidance_scale").asText(),
                "--scheduler", PipelineCase.schedulerLabel(c), "--initial-latents", latents.toString(),
                "--out", tmp.resolve("out").toString()));
        if (c.has("lora")) {
            args.addAll(List.of("--lora", ref.dir().resolve(c.get("lora").asText()) + ":"
                    + c.get("unet_scale").asText() + ":" + c.get("text_encoder_scale").asText()));
        }
        return args;
    }

    private static String[] with(String command, List<String> args, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void generateRendersThePipelineCaseToAPngAndTheReferenceTensor() throws Exception {
        for (String caseName : List.of("pipeline", "pipeline_lora")) {
            JsonNode c = ref.testCase(caseName);
            Path tensor = tmp.resolve(caseName + ".safetensors");
            Run run = booth(with("generate", caseArgs(caseName), "--save-tensor", tensor.toString()));
            assertEquals(0, run.code(), run.err());
            assertTrue(run.err().contains("it/s"), "a progress bar on stderr: " + run.err());
            try (NDManager m = NDManager.newBaseManager(Device.cpu());
                 SafeTensors saved = SafeTensors.open(tensor)) {
                Reference.assertClose(caseName + " via the CLI", saved.load(GenerationResult.TENSOR_NAME, m),
                        ref.tensor(PipelineCase.output(c), m), ref.tolerance("pipeline"));
            }
            Path png = Path.of(run.lines().get(0));
            assertTrue(png.getFileName().toString().matches("\\d{5}-\\d+\\.png"), png.toString());
            Map<String, String> fields = Infotext.fields(PngFiles.readParameters(png));
            assertEquals(c.get("steps").asText(), fields.get("Steps"));
            assertEquals(PipelineCase.schedulerLabel(c), fields.get("Sampler"));
            assertNotNull(fields.get("Model hash"));
            assertEquals(c.has("lora"), fields.containsKey("Lora hashes"), fields.toString());
        }
    }

    @Test
    void fromPngReplaysAnImageExactly() {
        Path out = tmp.resolve("replay");
        Path first = tmp.resolve("first.safetensors");
        Path second = tmp.resolve("second.safetensors");
        JsonNode c = ref.testCase("pipeline_lora");
        String lora = ref.dir().resolve(c.get("lora").asText()) + ":" + c.get("unet_scale").asText() + ":"
                + c.get("text_encoder_scale").asText();
        Run made = booth("generate", "--model", ref.modelDir().toString(), "-p", c.get("prompt").asText(),
                "--steps", "2", "--seed", "5", "--count", "2", "--clip-skip", "2", "--deep-cache", "2", "--token-merging", "0.5",
                "--lora", lora,
                "--quiet",
                "--out", out.toString(), "--save-tensor", first.toString());
        assertEquals(0, made.code(), made.err());
        Path image1 = Path.of(made.lines().get(1));
        assertTrue(image1.getFileName().toString().endsWith("-6.png"), "second image has seed + 1: " + image1);
        Run replay = booth("generate", "--model", ref.modelDir().toString(), "--from-png", image1.toString(),
                "--lora-dir", ref.dir().resolve(c.get("lora").asText()).getParent().toString(), "--quiet",
                "--out", out.toString(), "--save-tensor", second.toString());
        assertEquals(0, replay.code(), replay.err());
        assertEquals("", replay.err(), "same model: no hash warning");
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             SafeTensors a = SafeTensors.open(first); SafeTensors b = SafeTensors.open(second)) {
            assertEquals(a.load("image", m).get(1).expandDims(0), b.load("image", m), "bit-identical replay");
        }
    }

    @Test
    void sweepWritesOneLabelledGrid() {
        JsonNode c = ref.testCase("pipeline_lora");
        Path out = tmp.resolve("grid");
        Run run = booth("sweep", "--model", ref.modelDir().toString(), "-p", c.get("prompt").asText(),
                "--lora", ref.dir().resolve(c.get("lora").asText()).toString(), "--steps", "1", "--seed", "3",
                "--x", "unet_scale=0,1", "--y", "guidance=1," + c.get("guidance_scale").asText(), "--quiet",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        Path png = Path.of(run.lines().get(0));
        assertTrue(png.getFileName().toString().matches("\\d{5}-grid-3\\.png"), png.toString());
        assertTrue(PngFiles.readImage(png).getWidth() > 2 * PngFiles.readImage(png).getHeight() / 3,
                "two columns, two rows and labels");
        Map<String, String> fields = Infotext.fields(PngFiles.readParameters(png));
        assertEquals(SweepAxis.UNET_LORA_SCALE.label(), fields.get("X Type"));
        assertEquals(SweepAxis.GUIDANCE_SCALE.label(), fields.get("Y Type"));
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        String model = ref.modelDir().toString();
        for (String[] args : List.of(
                new String[]{"generate", "--model", model, "-p", "x", "--width", "100"},
                new String[]{"generate", "--model", model, "-p", "x", "--scheduler", "nope"},
                new String[]{"generate", "--model", tmp.resolve("missing").toString(), "-p", "x"},
                new String[]{"generate", "--model", model},
                new String[]{"generate", "--model", model, "-p", "x", "--lora", tmp.resolve("no.safetensors") + ":1"},
                new String[]{"generate", "--steps", "many"},
                new String[]{"generate", "--model", model, "-p", "x", "--deep-cache", "0"},
                new String[]{"sweep", "--model", model, "-p", "x", "--x", "seed=1,2", "--y", "seed=3"},
                new String[]{"bench", "--bogus"},
                new String[]{"frobnicate"})) {
            Run run = booth(args);
            assertEquals(BoothCli.BAD_INPUT, run.code(), String.join(" ", args) + " → " + run.err());
            assertEquals(1, run.err().lines().count(), "one line: " + run.err());
            assertTrue(run.err().contains("error: "), run.err());
        }
        assertTrue(booth("generate", "--model", model, "-p", "x", "--width", "100").err().contains("width"));
    }

    @Test
    void inspectSummarisesModelsLorasAndImages() {
        Run folder = booth("inspect", ref.modelDir().toString());
        assertEquals(0, folder.code(), folder.err());
        assertTrue(folder.out().contains("unet") && folder.out().contains("scheduler"), folder.out());
        JsonNode lora = ref.testCase("lora");
        for (JsonNode f : lora.get("files")) {
            Run run = booth("inspect", ref.dir().resolve(f.asText().split(" ")[0]).toString());
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("ranks         [" + lora.get("rank").asText() + "]"), run.out());
            assertTrue(run.out().matches("(?s).*lora hash\\s+[0-9a-f]{12}.*"), run.out());
        }
    }
}
