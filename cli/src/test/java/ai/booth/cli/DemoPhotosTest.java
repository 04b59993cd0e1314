package ai.booth.cli;

import ai.booth.world.Example;
import ai.booth.world.Photographer;
import ai.booth.world.Renderer;
import ai.booth.world.Subject;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The web client's "try the demo subject" uploads the world subject's own photos (the report's, seed 0). */
class DemoPhotosTest {

    private static final int SCALE = 4;   // 256 px: the smallest a dataset upload takes

    @Test
    void theWebClientsDemoPhotosAreTheWorldSubjectsPhotosAtFourTimesTheirSize() throws Exception {
        Path dir = CliHome.dir().resolve("gateway/src/main/resources/META-INF/resources/demo/zigzag-star");
        List<Example> photos = Photographer.shoot(Subject.ZIGZAG_STAR, 5, 0);
        for (int i = 0; i < photos.size(); i++) {
            BufferedImage expected = Renderer.render(photos.get(i).scene());
            BufferedImage shipped = ImageIO.read(dir.resolve(String.format("%02d.png", i)).toFile());
            assertEquals(expected.getWidth() * SCALE, shipped.getWidth(), "photo " + i);
            for (int y = 0; y < shipped.getHeight(); y++) {
                for (int x = 0; x < shipped.getWidth(); x++) {
                    assertEquals(expected.getRGB(x / SCALE, y / SCALE) & 0xFFFFFF, shipped.getRGB(x, y) & 0xFFFFFF,
                            "photo " + i + " at " + x + "," + y);
                }
            }
        }
    }
}
