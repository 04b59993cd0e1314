package ai.booth.diffusion.pipeline;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;

/**
 * One generated image: the request that reproduces it alone (its own seed, one image, final size), its infotext,
 * and the decoder's output as float RGB in [0, 1], channel-major [3, height, width] (the tensor before uint8).
 */
public record ImageResult(GenerationParams params, String infotext, int width, int height, float[] pixels) {

    public ImageResult {
        if (pixels.length != 3L * width * height) {
            throw new IllegalArgumentException("pixels must hold 3×" + height + "×" + width + " values, got "
                    + pixels.length);
        }
    }

    /** 8-bit RGB as diffusers' {@code numpy_to_pil} makes it: round(x · 255), halves to even like numpy. */
    public BufferedImage toImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = width * height;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = byteOf(pixels[i]) << 16 | byteOf(pixels[plane + i]) << 8 | byteOf(pixels[2 * plane + i]);
        }
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    private static int byteOf(float v) {
        return (int) Math.rint(Math.min(1f, Math.max(0f, v)) * 255f);
    }

    /** Writes the PNG with its {@code parameters} chunk. */
    public void writePng(Path file) {
        PngFiles.write(toImage(), Map.of(PngFiles.PARAMETERS, infotext), file);
    }
}
