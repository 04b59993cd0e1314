package ai.booth.cli;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code booth experiment}: variants of one training side by side, on the fixture model. */
class ExperimentCommandTest {

    @TempDir
    Path tmp;

    @Test
    void threeVariantsShareTheirClassImagesAndAreComparedInASheetAndATable() throws Exception {
        int resolution;
        try (Reference ref = Reference.load()) {
            resolution = ref.imageSize();
        }
        Path photos = photos(resolution);
        Path prompts = Files.writeString(tmp.resolve("prompts.txt"), "a photo of sks shape on the moon\n\n"
                + "a photo of sks shape in the desert\n");
        Path out = tmp.resolve("exp");

        BoothCliTest.Run run = BoothCliTest.booth("experiment", "--variants", "rank=2;rank=4;mode=full,lr-unet=1e-4",
                "--prompts", prompts.toString(), "--seeds", "1,2", "--render-steps", "2", "--out", out.toString(),
                "--model", Reference.fixturesDir().resolve("model").toString(), "--images", photos.toString(),
                "--instance-prompt", "a photo of sks shape", "--class-prompt", "a photo of shape",
                "--num-class-images", "2", "--sample-steps", "2", "--resolution", Integer.toString(resolution),
                "--steps", "3", "--lr-unet", "1e-3", "--seed", "5", "--quiet");
        assertEquals(0, run.code(), run.err());

        // class images made once, by the first variant, and reused by the others
        List<Path> classImages;
        try (Stream<Path> files = Files.list(out.resolve("class_images"))) {
            classImages = files.filter(f -> f.toString().endsWith(".png")).toList();
        }
        assertEquals(2, classImages.size());
        JsonNode second = json(out.resolve("variants/rank=4/metadata.json"));
        Instant secondStarted = Instant.parse(second.get("timings").get("started").asText());
        for (Path image : classImages) {
            assertTrue(Files.getLastModifiedTime(image).toInstant().isBefore(secondStarted), image + " made again");
        }
        assertEquals(2, second.get("class_images").asInt());
        // and their latents: encoded by the first variant, read by the others
        List<Path> caches;
        try (Stream<Path> files = Files.list(out.resolve("latent_caches"))) {
            caches = files.toList();
        }
        assertEquals(1, caches.size(), "one latent cache for the three variants: " + caches);
        assertTrue(Files.getLastModifiedTime(caches.get(0)).toInstant().isBefore(secondStarted), "encoded again");

        // every variant trained with the shared options and its own overrides
        assertEquals(2, json(out.resolve("variants/rank=2/metadata.json")).get("config").get("rank").asInt());
        assertEquals(4, second.get("config").get("rank").asInt());
        JsonNode full = json(out.resolve("variants/mode=full,lr-unet=1e-4/metadata.json"));
        assertEquals("full", full.get("config").get("mode").asText());
        assertEquals(1e-4, full.get("config").get("lrUnet").asDouble());
        assertEquals(3, full.get("steps").asInt());
        assertTrue(Files.isDirectory(out.resolve("variants/mode=full,lr-unet=1e-4/model")));

        // the table: the base and one row per variant, with sizes growing with the rank
        JsonNode experiment = json(out.resolve("experiment.json"));
        JsonNode rows = experiment.get("rows");
        assertEquals(List.of("base", "rank=2", "rank=4", "mode=full,lr-unet=1e-4"),
                names(rows));
        assertEquals("lora", rows.get(1).get("mode").asText());
        assertEquals(2, rows.get(1).get("rank").asInt());
        assertTrue(rows.get(2).get("sizeBytes").asLong() > rows.get(1).get("sizeBytes").asLong(), "rank 4 > rank 2");
        assertTrue(rows.get(3).get("sizeBytes").asLong() > rows.get(2).get("sizeBytes").asLong(), "a model > a LoRA");
        for (int i = 1; i < 4; i++) {
            assertEquals(3, rows.get(i).get("steps").asInt());
            assertTrue(rows.get(i).get("finalLoss").asDouble() > 0, rows.get(i).toString());
        }
        String table = Files.readString(out.resolve("table.md"));
        assertEquals(2 + 4, table.lines().count(), table);
        assertTrue(run.out().contains("| rank=4 | lora | 4 | 3 |"), run.out());

        // the sheet: 4 rows × (2 prompts × 2 seeds), each cell a render also kept as a PNG
        BufferedImage sheet = ImageIO.read(out.resolve("sheet.png").toFile());
        assertTrue(sheet.getWidth() >= 4 * resolution && sheet.getHeight() >= 4 * resolution,
                sheet.getWidth() + "x" + sheet.getHeight());
        for (String row : List.of("base", "rank=2", "rank=4", "mode=full,lr-unet=1e-4")) {
            try (Stream<Path> files = Files.list(out.resolve("renders").resolve(row))) {
                assertEquals(4, files.count(), row);
            }
        }
        int[] base = pixels(out.resolve("renders/base/00-1.png"));
        assertFalse(Arrays.equals(base, pixels(out.resolve("renders/rank=2/00-1.png"))), "the LoRA changes it");
        assertFalse(Arrays.equals(base, pixels(out.resolve("renders/mode=full,lr-unet=1e-4/00-1.png"))),
                "the fine-tune changes it");
        assertTrue(Arrays.equals(base, pixels(out.resolve("renders/base/00-1.png"))));
    }

    @Test
    void aBadVariantIsRefusedBeforeAnythingTrains() throws Exception {
        Path out = tmp.resolve("bad");
        BoothCliTest.Run run = BoothCliTest.booth("experiment", "--variants", "rank=4;colour=red", "--out",
                out.toString(), "--images", photos(64).toString(), "--instance-prompt", "a photo of sks shape");
        assertEquals(BoothCli.BAD_INPUT, run.code(), run.err());
        assertTrue(run.err().contains("variant 'colour=red'") && run.err().contains("--colour"), run.err());
        assertFalse(Files.exists(out.resolve("variants")), "nothing trained");

        run = BoothCliTest.booth("experiment", "--variants", "rank=4", "--out", out.toString(), "--images",
                photos(64).toString(), "--instance-prompt", "a photo of sks shape", "--class-images", "x");
        assertEquals(BoothCli.BAD_INPUT, run.code(), run.err());
        assertTrue(run.err().contains("--class-images is the experiment's own"), run.err());
    }

    @Test
    void thePapersPromptSetsNeedTheClassNounBeforeAnythingTrains() throws Exception {
        Path out = tmp.resolve("live");
        BoothCliTest.Run run = BoothCliTest.booth("experiment", "--variants", "rank=4", "--out", out.toString(),
                "--images", photos(64).toString(), "--instance-prompt", "a photo of sks shape", "--prompt-set",
                "live");
        assertEquals(BoothCli.BAD_INPUT, run.code(), run.err());
        assertTrue(run.err().contains("class noun"), run.err());
        assertFalse(Files.exists(out.resolve("variants")), "nothing trained");
    }

    private Path photos(int size) throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < 2; i++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size, size);
            g.setColor(Color.BLUE);
            g.fillRect(8 + 4 * i, 12, size / 2, size / 3);
            g.dispose();
            ImageIO.write(img, "png", photos.resolve("photo" + i + ".png").toFile());
        }
        return photos;
    }

    private static List<String> names(JsonNode rows) {
        List<String> names = new ArrayList<>();
        rows.forEach(row -> names.add(row.get("name").asText()));
        return names;
    }

    private static JsonNode json(Path file) throws Exception {
        return new ObjectMapper().readTree(file.toFile());
    }

    private static int[] pixels(Path png) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
