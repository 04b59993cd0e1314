package ai.booth.diffusion.train;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Training images as the VAE takes them: the centred square of the image, resized to the training resolution
 * (area averaging when shrinking, bilinear when enlarging), optionally mirrored, as [3, H, W] floats in [−1, 1].
 * Transparent pixels are composited on white.
 */
public final class TrainingImages {

    private TrainingImages() {
    }

    /** The square crop at {@code resolution}² pixels, RGB. */
    public static BufferedImage square(BufferedImage image, int resolution) {
        int side = Math.min(image.getWidth(), image.getHeight());
        BufferedImage crop = image.getSubimage((image.getWidth() - side) / 2, (image.getHeight() - side) / 2, side, side);
        BufferedImage out = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, resolution, resolution);
            if (side > resolution) {
                g.drawImage(crop.getScaledInstance(resolution, resolution, Image.SCALE_AREA_AVERAGING), 0, 0, null);
            } else {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(crop, 0, 0, resolution, resolution, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** CHW floats in [−1, 1] of a {@code resolution}² RGB image, mirrored left-right if {@code flip}. */
    public static float[] pixels(BufferedImage square, boolean flip) {
        int w = square.getWidth();
        int h = square.getHeight();
        int[] rgb = square.getRGB(0, 0, w, h, null, 0, w);
        float[] out = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = rgb[y * w + (flip ? w - 1 - x : x)];
                int i = y * w + x;
                out[i] = ((p >> 16) & 0xff) / 127.5f - 1f;
                out[w * h + i] = ((p >> 8) & 0xff) / 127.5f - 1f;
                out[2 * w * h + i] = (p & 0xff) / 127.5f - 1f;
            }
        }
        return out;
    }
}
