package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.train.ProgressListener;
import ai.booth.diffusion.train.StepProgress;
import ai.booth.world.Attributes;
import ai.booth.world.Example;
import ai.booth.world.Split;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code booth world train} and {@code report} at a toy size: every stage runs, the result is a diffusers model (text encoder and UNet in
 * float16) that generates, with a scorer beside it, and a run stopped in any stage continues, on rerunning, to the very
 * weights of a run never stopped.
 */
class WorldTrainingTest {

    private static final WorldTraining.Plan TOY = new WorldTraining.Plan(0, 12, 4, 2, 32, 1e-3, 1e-6, 4, 4, 5e-4, 5, 2, 3,
            4, 5e-4);
    private static final List<String> WEIGHTS = List.of("text_encoder/model.safetensors",
            "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors");

    @TempDir
    Path tmp;

    @Test
    void theScorerSeesHeldOutPairsAndNearMissesOfEachCaption() {
        WorldTraining.ScenePairs pairs = new WorldTraining.ScenePairs(0, WorldTraining.ScenePairs.SCENES);
        int heldOut = 0;
        for (int i = 0; i < 70; i++) {
            Example e = pairs.example(i);
            boolean held = e.scene().things().stream().anyMatch(t -> Split.isHeldOut(t.shape(), t.colour()));
            heldOut += held ? 1 : 0;
            Attributes.Asked own = Attributes.first(e.caption()).orElseThrow();
            List<String> negatives = pairs.hardNegatives(i, new SplittableRandom(i));
            assertEquals(4, negatives.size());
            for (int k = 0; k < negatives.size(); k++) {
                Attributes.Asked other = Attributes.first(negatives.get(k)).orElseThrow();
                boolean shapeChanged = k < 3;   // three shapes, then a colour
                assertEquals(shapeChanged, other.shape() != own.shape(), negatives.get(k) + " vs " + e.caption());
                assertEquals(!shapeChanged, other.colour() != own.colour(), negatives.get(k) + " vs " + e.caption());
            }
        }
        assertEquals(10, heldOut, "every seventh scene shows a held-out pair");
    }

    @Test
    void theCommandTrainsEveryStageToAFloat16ModelThatGenerates() throws Exception {
        Path out = tmp.resolve("run");
        BoothCliTest.Run run = BoothCliTest.booth("world", "train", "--out", out.toString(), "--images", "12",
                "--vae-steps", "4", "--steps", "4", "--batch", "4", "--checkpoint-every", "2", "--scorer-steps", "2");
        assertEquals(0, run.code(), run.err());
        Path model = out.resolve("model");
        assertEquals(model.toString(), run.out().strip());
        assertTrue(run.err().contains("4/4"), "progress is shown: " + run.err());
        for (String file : WEIGHTS.subList(0, 2)) {   // the VAE stays float32: its config says force_upcast
            try (SafeTensors st = SafeTensors.open(model.resolve(file))) {
                for (String name : st.names()) {
                    assertEquals(DataType.FLOAT16, st.entry(name).dtype(), file + " " + name);
                }
            }
        }
        double scaling = new ObjectMapper().readTree(model.resolve("vae/config.json").toFile())
                .get("scaling_factor").asDouble();
        assertTrue(scaling > 0 && scaling != 1.0, "the VAE's latents are measured: scaling factor " + scaling);
        try (StableDiffusionModel sd = DiffusersFolderLoader.load(model, EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(sd)) {
            assertEquals(64, pipeline.defaultSize());
            BufferedImage image = pipeline.generate(GenerationParams.builder("a red circle on a blue background")
                    .steps(2).seed(1).size(64, 64).build()).images().get(0).toImage();
            assertEquals(64, image.getWidth());
        }
        // the scorer is a CLIPModel folder evaluation loads, in both its slots
        Path scorer = out.resolve("scorer");
        try (EvalEncoders encoders = EvalEncoders.load(scorer, scorer, EngineOptions.defaults())) {
            RgbImage scene = RgbImage.of(ai.booth.world.Renderer.render(
                    ai.booth.world.World.base(0, ai.booth.world.Split.TRAIN, 0).scene()));
            assertEquals(64, encoders.clipImageEmbeds(List.of(scene))[0].length);
            assertEquals(96, encoders.dinoEmbeds(List.of(scene))[0].length);
            assertEquals(64, encoders.clipTextEmbeds(List.of("a red circle"))[0].length);
        }
        // the report measures it (toy numbers: the plumbing and the files, not the quality)
        Path report = tmp.resolve("report");
        BoothCliTest.Run measured = BoothCliTest.booth("world", "report", "--model", model.toString(), "--scorer",
                scorer.toString(), "--out", report.toString(), "--count", "2", "--steps", "2",
                "--subject-steps", "2", "--class-images", "2");
        assertEquals(0, measured.code(), measured.err());
        for (String line : List.of("scorer on real held-out scenes: ", "attribute accuracy: ",
                "attribute accuracy (seen pairs): ", "subject fidelity: base ", "(on the model's own stars: ",
                "class prior kept: stars ", "(without prior preservation ")) {
            assertTrue(measured.out().contains(line), line + " in " + measured.out());
        }
        String md = Files.readString(report.resolve("report.md"));
        for (String row : List.of("| generated, held-out pairs |", "| the same without prior preservation |",
                "| rank 16 |", "| full fine-tune, prior preservation |", "| UNet scale 0.5, text-encoder scale 1.0 |", "| guidance 9.0 |")) {
            assertTrue(md.contains(row), row + " in " + md);
        }
        for (String file : List.of("held-out.png", "subject.png", "subject/lora/pytorch_lora_weights.safetensors",
                "subject/lora-no-prior/pytorch_lora_weights.safetensors",
                "subject/lora-own-stars/pytorch_lora_weights.safetensors")) {
            assertTrue(Files.isRegularFile(report.resolve(file)), file);
        }
        BoothCliTest.Run missing = BoothCliTest.booth("world", "report", "--model", tmp.resolve("none").toString());
        assertEquals(BoothCli.BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("./booth world train"), missing.err());
        // done: a rerun has nothing left to do and says where the model is
        BoothCliTest.Run again = BoothCliTest.booth("world", "train", "--out", out.toString(), "--images", "12",
                "--vae-steps", "4", "--steps", "4", "--batch", "4", "--checkpoint-every", "2", "--scorer-steps", "2");
        assertEquals(0, again.code(), again.err());
        assertEquals(model.toString(), again.out().strip());
    }

    @Test
    void aRunStoppedInEachStageContinuesToTheWeightsOfARunNeverStopped() throws Exception {
        Path straight = new WorldTraining(tmp.resolve("straight"), TOY, CliHome.demoTokenizer(),
                ProgressListener.NONE, () -> false).run();

        Path out = tmp.resolve("stopped");
        // stop after step 3 of the VAE, then after step 3 of the UNet: two reruns finish the job
        AtomicInteger steps = new AtomicInteger();
        ProgressListener counting = new ProgressListener() {
            @Override
            public void step(StepProgress p) {
                steps.incrementAndGet();
            }
        };
        assertNull(new WorldTraining(out, TOY, CliHome.demoTokenizer(), counting, () -> steps.get() == 3).run());
        assertTrue(Files.isDirectory(out.resolve("vae/checkpoint")));
        steps.set(0);
        assertNull(new WorldTraining(out, TOY, CliHome.demoTokenizer(), counting, () -> steps.get() == 4).run(),
                "1 VAE step, 3 UNet steps, stop");
        assertTrue(Files.isRegularFile(out.resolve("base/model_index.json")));
        steps.set(0);
        assertNull(new WorldTraining(out, TOY, CliHome.demoTokenizer(), counting, () -> steps.get() == 2).run(),
                "1 UNet step, 1 scorer step, stop");
        assertTrue(Files.isDirectory(out.resolve("scorer-run/checkpoint")));
        Path resumed = new WorldTraining(out, TOY, CliHome.demoTokenizer(), ProgressListener.NONE, () -> false).run();
        assertArrayEquals(Files.readAllBytes(straight.resolveSibling("scorer/model.safetensors")),
                Files.readAllBytes(resumed.resolveSibling("scorer/model.safetensors")), "scorer");

        for (String file : WEIGHTS) {
            assertArrayEquals(Files.readAllBytes(straight.resolve(file)), Files.readAllBytes(resumed.resolve(file)),
                    file);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            String key = "conv_out.weight";
            float[] init = SafeTensors.read(out.resolve("base").resolve(WEIGHTS.get(1)), m).get(key).toFloatArray();
            float[] trained = SafeTensors.read(out.resolve("diffusion/model").resolve(WEIGHTS.get(1)), m).get(key)
                    .toFloatArray();
            assertFalse(java.util.Arrays.equals(init, trained), "the UNet was trained");
        }
    }
}
