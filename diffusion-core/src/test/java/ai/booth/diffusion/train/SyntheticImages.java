package ai.booth.diffusion.train;

import ai.booth.diffusion.runtime.TorchGenerator;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** Test images: one coloured shape on a plain background, drawn with Java2D from a seeded generator. */
final class SyntheticImages {

    enum Kind { CIRCLE, SQUARE, TRIANGLE }

    private SyntheticImages() {
    }

    /** {@code n} images of the same subject: a red circle, slightly moved and resized each time. */
    static List<BufferedImage> subject(int n, int size, long seed) {
        TorchGenerator g = new TorchGenerator(seed);
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] u = g.rand(3);
            out.add(draw(size, Kind.CIRCLE, new Color(220, 30, 30), Color.WHITE, 0.5f + 0.1f * (u[0] - 0.5f),
                    0.5f + 0.1f * (u[1] - 0.5f), 0.32f + 0.06f * u[2]));
        }
        return out;
    }

    /** {@code n} images of other shapes in random colours on random light backgrounds. */
    static List<BufferedImage> others(int n, int size, long seed) {
        TorchGenerator g = new TorchGenerator(seed);
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] u = g.rand(7);
            Kind kind = u[0] < 0.5f ? Kind.SQUARE : Kind.TRIANGLE;
            Color fg = Color.getHSBColor(u[1], 0.6f + 0.4f * u[2], 0.4f + 0.5f * u[3]);
            Color bg = Color.getHSBColor(u[4], 0.15f, 0.85f + 0.15f * u[5]);
            out.add(draw(size, kind, fg, bg, 0.35f + 0.3f * u[6], 0.35f + 0.3f * u[5], 0.2f + 0.15f * u[2]));
        }
        return out;
    }

    static BufferedImage draw(int size, Kind kind, Color fg, Color bg, float cx, float cy, float radius) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(bg);
            g.fillRect(0, 0, size, size);
            g.setColor(fg);
            int x = Math.round(cx * size);
            int y = Math.round(cy * size);
            int r = Math.round(radius * size);
            switch (kind) {
                case CIRCLE -> g.fillOval(x - r, y - r, 2 * r, 2 * r);
                case SQUARE -> g.fillRect(x - r, y - r, 2 * r, 2 * r);
                case TRIANGLE -> g.fillPolygon(new int[] {x, x - r, x + r}, new int[] {y - r, y + r, y + r}, 3);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    static List<DreamBoothDataset.Example> examples(List<BufferedImage> images, String prefix, String prompt) {
        List<DreamBoothDataset.Example> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            out.add(new DreamBoothDataset.Example(prefix + i, () -> img, prompt));
        }
        return out;
    }
}
