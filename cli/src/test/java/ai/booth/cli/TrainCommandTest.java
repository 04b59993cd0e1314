package ai.booth.cli;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code booth train} on the fixture model: photos in a folder to adapter files, class images made on the way. */
class TrainCommandTest {

    @TempDir
    Path tmp;

    @Test
    void trainsFromAFolderOfPhotosToBothAdapterFilesAndResumes() throws Exception {
        int resolution;
        try (Reference ref = Reference.load()) {
            resolution = ref.imageSize();
        }
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(resolution + 16 * i, resolution, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(Color.RED);
            g.fillOval(20 + 4 * i, 24, resolution / 2, resolution / 2);
            g.dispose();
            ImageIO.write(img, i == 0 ? "jpg" : "png", photos.resolve("photo" + i + (i == 0 ? ".jpg" : ".png")).toFile());
        }
        Files.writeString(photos.resolve("photo1.txt"), "a photo of sks shape on white");
        Path out = tmp.resolve("out");
        List<String> common = List.of("train", "--model", Reference.fixturesDir().resolve("model").toString(),
                "--images", photos.toString(), "--instance-prompt", "a photo of sks shape",
                "--class-prompt", "a photo of shape", "--num-class-images", "2", "--sample-steps", "2",
                "--resolution", Integer.toString(resolution), "--out", out.toString(), "--seed", "5",
                "--checkpoint-every", "2", "--validation-prompt", "sks shape", "--validation-every", "3",
                "--lr-unet", "1e-3", "--noise-offset", "0.05", "--snr-gamma", "5");

        BoothCliTest.Run run = BoothCliTest.booth(with(common, "--steps", "3"));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("3/3") && run.err().contains("loss"), "progress bar: " + run.err());
        List<String> files = run.lines();
        assertEquals(3, files.size(), run.out());
        try (Stream<Path> classes = Files.list(out.resolve("class_images"))) {
            assertEquals(2, classes.count(), "class images generated with the base model");
        }
        assertTrue(Files.isRegularFile(out.resolve("validation/step-000003/00.png")));
        JsonNode meta = new ObjectMapper().readTree(Path.of(files.get(2)).toFile());
        assertEquals(3, meta.get("steps").asInt());
        assertEquals(3, meta.get("instance_images").asInt());
        try (StableDiffusionModel model = DiffusersFolderLoader.load(Reference.fixturesDir().resolve("model"),
                EngineOptions.defaults())) {
            for (String file : files.subList(0, 2)) {
                Map<String, String> metadata = SafeTensors.readMetadata(Path.of(file));
                assertEquals("5", metadata.get("ss_seed"));
                assertEquals("5.0", metadata.get("ss_min_snr_gamma"), "trained with Min-SNR-γ");
                assertEquals("0.05", metadata.get("ss_noise_offset"), "trained with offset noise");
                try (LoraAdapter adapter = LoraAdapter.load(Path.of(file), model)) {
                    assertFalse(adapter.modules().isEmpty(), file);
                }
            }
        }

        Path checkpoint = out.resolve("checkpoints/checkpoint-000002");
        assertTrue(Files.isRegularFile(checkpoint.resolve("state.json")));
        BoothCliTest.Run resumed = BoothCliTest.booth(with(common, "--steps", "4", "--resume", checkpoint.toString()));
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(4, new ObjectMapper().readTree(out.resolve("metadata.json").toFile()).get("steps").asInt());

        BoothCliTest.Run bad = BoothCliTest.booth("train", "--images", tmp.resolve("nowhere").toString(),
                "--instance-prompt", "x", "--no-prior", "--out", out.toString());
        assertEquals(BoothCli.BAD_INPUT, bad.code(), bad.err());
        assertTrue(bad.err().contains("nowhere"), bad.err());
    }

    @Test
    void newTokensTrainPivotallyAndGenerateTakesTheEmbeddingFile() throws Exception {
        int resolution;
        try (Reference ref = Reference.load()) {
            resolution = ref.imageSize();
        }
        Path photos = Files.createDirectories(tmp.resolve("art"));
        for (int i = 0; i < 2; i++) {
            BufferedImage img = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(i == 0 ? Color.BLUE : Color.ORANGE);
            g.fillRect(0, 0, resolution, resolution);
            g.dispose();
            ImageIO.write(img, "png", photos.resolve("art" + i + ".png").toFile());
        }
        Path out = tmp.resolve("my-style");
        String model = Reference.fixturesDir().resolve("model").toString();
        BoothCliTest.Run run = BoothCliTest.booth("train", "--model", model, "--images", photos.toString(),
                "--instance-prompt", "a painting in the style of <s1><s2>", "--no-prior", "--steps", "1",
                "--resolution", Integer.toString(resolution), "--new-tokens", "<s1><s2>", "--initializer-token",
                "style", "--out", out.toString(), "--quiet");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of(out.resolve("pytorch_lora_weights.safetensors").toString(),
                out.resolve("lora_kohya.safetensors").toString(), out.resolve("my-style.safetensors").toString(),
                out.resolve("my-style_emb.safetensors").toString(), out.resolve("metadata.json").toString()),
                run.lines());
        assertEquals("pivotal", new ObjectMapper().readTree(out.resolve("metadata.json").toFile())
                .at("/config/mode").asText());

        BoothCliTest.Run gen = BoothCliTest.booth("generate", "--model", model, "-p", "a cat, my-style",
                "--embedding", out.resolve("my-style.safetensors").toString(), "--steps", "1", "--seed", "1",
                "--quiet", "--out", tmp.resolve("images").toString());
        assertEquals(0, gen.code(), gen.err());
        String parameters = ai.booth.diffusion.pipeline.PngFiles.readParameters(Path.of(gen.lines().get(0)));
        assertTrue(parameters.contains("TI hashes: \"my-style: "), parameters);
    }

    @Test
    void aFullFineTuneOf50StepsWritesAModelThatGenerateLoadsAsAFolderOrOneFileAndTakesALora() throws Exception {
        int resolution;
        String lora;
        try (Reference ref = Reference.load()) {
            resolution = ref.imageSize();
            lora = ref.dir().resolve(ref.testCase("pipeline_lora").get("lora").asText()).toString();
        }
        Path photos = Files.createDirectories(tmp.resolve("dog"));
        for (int i = 0; i < 2; i++) {
            BufferedImage img = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.YELLOW);
            g.fillRect(0, 0, resolution, resolution);
            g.setColor(Color.BLACK);
            g.fillOval(8 * i, 8, resolution / 2, resolution / 2);
            g.dispose();
            ImageIO.write(img, "png", photos.resolve("dog" + i + ".png").toFile());
        }
        Path out = tmp.resolve("rex-model");
        String base = Reference.fixturesDir().resolve("model").toString();
        BoothCliTest.Run run = BoothCliTest.booth("train", "--mode", "full", "--model", base,
                "--images", photos.toString(), "--instance-prompt", "a photo of sks dog",
                "--class-prompt", "a photo of dog", "--num-class-images", "2", "--sample-steps", "2",
                "--steps", "50", "--lr-unet", "1e-4", "--train-text-encoder", "--lr-text", "1e-5", "--seed", "7",
                "--validation-prompt", "a photo of sks dog", "--validation-every", "25", "--out", out.toString(),
                "--quiet");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of(out.resolve("model").toString(), out.resolve("model.safetensors").toString(),
                out.resolve("metadata.json").toString()), run.lines());
        JsonNode meta = new ObjectMapper().readTree(out.resolve("metadata.json").toFile());
        assertEquals("full", meta.at("/config/mode").asText());
        assertEquals(50, meta.get("steps").asInt());
        assertTrue(meta.at("/config/trainTextEncoder").asBoolean(), meta.toString());
        for (String step : List.of("step-000025", "step-000050")) { // rendered with the weights being trained
            assertTrue(Files.isRegularFile(out.resolve("validation").resolve(step).resolve("00.png")), step);
        }

        List<String> render = List.of("generate", "-p", "a photo of sks dog on the moon", "--steps", "2",
                "--seed", "3", "--lora", lora, "--quiet");
        float[] folder = image(BoothCliTest.booth(with(render, "--model", out.resolve("model").toString(),
                "--out", tmp.resolve("folder").toString())));
        float[] single = image(BoothCliTest.booth(with(render, "--model", out.resolve("model.safetensors").toString(),
                "--config-from", base, "--out", tmp.resolve("single").toString())));
        float[] before = image(BoothCliTest.booth(with(render, "--model", base, "--out", tmp.resolve("base").toString())));
        org.junit.jupiter.api.Assertions.assertArrayEquals(folder, single, "the A1111 file is the folder's model");
        assertFalse(java.util.Arrays.equals(folder, before), "50 steps changed what the model draws");
    }

    /** The pixels of the one PNG a generate run printed. */
    private static float[] image(BoothCliTest.Run run) throws Exception {
        assertEquals(0, run.code(), run.err());
        BufferedImage png = ai.booth.diffusion.pipeline.PngFiles.readImage(Path.of(run.lines().get(0)));
        return png.getData().getPixels(0, 0, png.getWidth(), png.getHeight(), (float[]) null);
    }

    private static String[] with(List<String> common, String... more) {
        return Stream.concat(common.stream(), Stream.of(more)).toArray(String[]::new);
    }
}
