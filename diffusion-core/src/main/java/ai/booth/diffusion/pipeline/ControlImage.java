package ai.booth.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A control map as diffusers' ControlNet pipeline feeds it: RGB, resized to the output size when it differs (PIL's
 * Lanczos, {@link PilLanczos}), pixels / 255 with no normalisation, NCHW [1, 3, height, width].
 */
public final class ControlImage {

    private ControlImage() {
    }

    public static NDArray load(Path file, int width, int height, NDManager manager) {
        BufferedImage image = read(file);
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = new int[w * h];
        boolean gray = isGray(image);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = gray ? grayAsRgb(image, x, y) : image.getRGB(x, y) & 0xFFFFFF;
            }
        }
        if (w != width || h != height) {
            rgb = PilLanczos.resize(rgb, w, h, width, height);
        }
        float[] chw = new float[3 * width * height];
        int plane = width * height;
        for (int i = 0; i < plane; i++) {
            chw[i] = ((rgb[i] >> 16) & 0xFF) / 255f;
            chw[plane + i] = ((rgb[i] >> 8) & 0xFF) / 255f;
            chw[2 * plane + i] = (rgb[i] & 0xFF) / 255f;
        }
        return manager.create(chw, new Shape(1, 3, height, width));
    }

    /**
     * PIL's convert("RGB") copies a gray value to R, G and B; Java's getRGB would treat 8-bit gray as linear and
     * gamma-encode it, so gray samples are read from the raster.
     */
    private static boolean isGray(BufferedImage image) {
        return image.getType() == BufferedImage.TYPE_BYTE_GRAY || image.getType() == BufferedImage.TYPE_USHORT_GRAY;
    }

    private static int grayAsRgb(BufferedImage image, int x, int y) {
        int v = image.getRaster().getSample(x, y, 0);
        v = image.getType() == BufferedImage.TYPE_USHORT_GRAY ? v >> 8 : v;
        return (v << 16) | (v << 8) | v;
    }

    static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("control image " + file + " does not exist");
        }
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new IllegalArgumentException("control image " + file + " is not an image ImageIO can read");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read control image " + file, e);
        }
    }
}
