package ai.booth.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import javax.imageio.ImageIO;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A control map as diffusers' ControlNet pipeline feeds it: RGB, resized to the output size when it differs, pixels
 * / 255 with no normalisation, NCHW [1, 3, height, width].
 */
public final class ControlImage {

    private ControlImage() {
    }

    public static NDArray load(Path file, int width, int height, NDManager manager) {
        BufferedImage image = read(file);
        if (image.getWidth() != width || image.getHeight() != height) {
            image = resize(image, width, height);
        }
        float[] chw = new float[3 * width * height];
        int plane = width * height;
        boolean gray = isGray(image);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = gray ? grayAsRgb(image, x, y) : image.getRGB(x, y);
                int i = y * width + x;
                chw[i] = ((rgb >> 16) & 0xFF) / 255f;
                chw[plane + i] = ((rgb >> 8) & 0xFF) / 255f;
                chw[2 * plane + i] = (rgb & 0xFF) / 255f;
            }
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

    /** Bicubic (diffusers uses PIL's Lanczos; maps at the output size, as users normally give, are not resampled). */
    private static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        return out;
    }
}
