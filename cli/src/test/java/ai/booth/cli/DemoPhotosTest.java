package ai.booth.cli;

import ai.booth.world.Example;
import ai.booth.world.Photographer;
import ai.booth.world.Renderer;
import ai.booth.world.Subject;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The web client's "try the demo subject" uploads the world subject's own photos (the report's, seed 0) and trains
 * them as the report trains its main LoRA.
 */
class DemoPhotosTest {

    private static final int SCALE = 4;   // 256 px: the smallest a dataset upload takes
    private static final Path DIR = CliHome.dir().resolve("gateway/src/main/resources/META-INF/resources/demo/zigzag-star");

    @Test
    void theWebClientsDemoPhotosAreTheWorldSubjectsPhotosAtFourTimesTheirSize() throws Exception {
        List<Example> photos = Photographer.shoot(Subject.ZIGZAG_STAR, SubjectStudy.DEMO_PHOTOS, 0);
        for (int i = 0; i < photos.size(); i++) {
            BufferedImage expected = Renderer.render(photos.get(i).scene());
            BufferedImage shipped = ImageIO.read(DIR.resolve(String.format("%02d.png", i)).toFile());
            assertEquals(expected.getWidth() * SCALE, shipped.getWidth(), "photo " + i);
            for (int y = 0; y < shipped.getHeight(); y++) {
                for (int x = 0; x < shipped.getWidth(); x++) {
                    assertEquals(expected.getRGB(x / SCALE, y / SCALE) & 0xFFFFFF, shipped.getRGB(x, y) & 0xFFFFFF,
                            "photo " + i + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void theWebClientsDemoRecipeIsTheWorldReportsMainLora() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(DIR.resolve("recipe.json").toFile());
        JsonNode training = recipe.get("training");
        Subject subject = Subject.ZIGZAG_STAR;
        assertEquals(SubjectStudy.DEMO_PHOTOS, recipe.get("photos").size());
        assertEquals(subject.instancePrompt(), recipe.get("instancePrompt").asText());
        assertEquals(subject.instancePrompt(), "a photo of " + training.get("instanceToken").asText() + " "
                + training.get("classNoun").asText());
        assertEquals(ai.booth.service.models.ModelRegistry.WORLD_MODEL_ID, training.get("baseModel").asText());
        assertEquals("lora", training.get("mode").asText());
        assertEquals(SubjectStudy.DEMO_STEPS, training.get("maxTrainSteps").asInt());
        assertEquals(SubjectStudy.DEMO_RANK, training.get("rank").asInt());
        assertEquals(Renderer.SIZE, training.get("resolution").asInt());
        assertEquals(SubjectStudy.DEMO_LR, training.get("unetLearningRate").asDouble());
        assertEquals(SubjectStudy.DEMO_LR / 2, training.get("textEncoderLearningRate").asDouble());
        assertEquals(true, training.get("priorPreservation").asBoolean());
        assertEquals(SubjectStudy.DEMO_CLASS_IMAGES, training.get("classImageCount").asInt());
        for (JsonNode prompt : recipe.get("prompts")) {
            assertEquals(0, prompt.asText().indexOf(subject.instancePrompt()), prompt.asText());
        }
    }
}
