package ai.booth.world;

import java.awt.image.BufferedImage;

/** Test helpers that read colours back out of rendered images. */
final class Pixels {

    private Pixels() {
    }

    /** The named colour nearest to a pixel, after undoing the scene's light. */
    static Colour nearest(int rgb, double light) {
        int r = (int) Math.round((rgb >> 16 & 255) / light), g = (int) Math.round((rgb >> 8 & 255) / light),
                b = (int) Math.round((rgb & 255) / light);
        int undone = Math.min(255, r) << 16 | Math.min(255, g) << 8 | Math.min(255, b);
        Colour best = null;
        for (Colour c : Colour.values()) {
            if (best == null || c.distance(undone) < best.distance(undone)) {
                best = c;
            }
        }
        return best;
    }

    /** The pixel under the frame point (x, y). */
    static int at(BufferedImage image, double x, double y) {
        return image.getRGB((int) Math.floor(x), (int) Math.floor(y)) & 0xFFFFFF;
    }

    /** Whether each channel of {@code rgb} lies between the palette's lowest and highest value of that channel. */
    static boolean inPaletteBox(int rgb, int[] palette) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int v = rgb >> shift & 255, lo = 255, hi = 0;
            for (int p : palette) {
                lo = Math.min(lo, p >> shift & 255);
                hi = Math.max(hi, p >> shift & 255);
            }
            if (v < lo || v > hi) {
                return false;
            }
        }
        return true;
    }
}
