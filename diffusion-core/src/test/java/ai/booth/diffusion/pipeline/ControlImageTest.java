package ai.booth.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Control maps are fed as diffusers feeds them: RGB / 255, PIL-Lanczos-resized to the output size. */
class ControlImageTest {

    @TempDir
    Path tmp;

    private Path png(BufferedImage image) throws Exception {
        Path file = tmp.resolve("map" + System.nanoTime() + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void aMapAtTheOutputSizeIsItsPixelsOver255InChannelPlanes() throws Exception {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF8000);
        image.setRGB(1, 0, 0x0000FF);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = ControlImage.load(png(image), 2, 1, m);
            assertEquals(new Shape(1, 3, 1, 2), x.getShape());
            assertArrayEquals(new float[] {1f, 0f, 128 / 255f, 0f, 0f, 1f}, x.toFloatArray());
        }
    }

    @Test
    void grayMapsAreCopiedToRgbWithoutGammaAndFlatImagesStayFlatWhenResized() throws Exception {
        BufferedImage gray = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                gray.getRaster().setSample(x, y, 0, 100);
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] size : new int[][] {{5, 3}, {16, 8}, {2, 2}}) {
                float[] v = ControlImage.load(png(gray), size[0], size[1], m).toFloatArray();
                for (float f : v) {
                    assertEquals(100 / 255f, f, "lanczos weights sum to one: " + size[0] + "x" + size[1]);
                }
            }
        }
    }
}
