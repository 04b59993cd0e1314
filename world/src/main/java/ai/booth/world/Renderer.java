package ai.booth.world;

import java.awt.image.BufferedImage;

/**
 * Paints a scene into a 64×64 RGB image. Antialiasing is 4×4 supersampling with {@link java.awt.Shape#contains} on
 * the shapes' outlines rather than Graphics2D's rasteriser: Graphics2D's coverage is an unspecified detail of its
 * renderer (Marlin, native loops), while here every pixel is plain double arithmetic (strict since Java 17) and
 * StrictMath, so a scene's pixels are fixed by the language, on every JVM and CPU.
 */
public final class Renderer {

    public static final int SIZE = 64;
    private static final int SUB = 4;

    private Renderer() {
    }

    public static BufferedImage render(Scene scene) {
        int n = scene.things().size();
        double[] cos = new double[n], sin = new double[n];
        for (int i = 0; i < n; i++) {
            cos[i] = StrictMath.cos(scene.things().get(i).angle());
            sin[i] = StrictMath.sin(scene.things().get(i).angle());
        }
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        double[] rgb = new double[3];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int back = backdrop(scene, x, y);
                if (near(scene, x, y)) {
                    supersample(scene, cos, sin, back, x, y, rgb);
                } else {
                    rgb[0] = back >> 16 & 255;
                    rgb[1] = back >> 8 & 255;
                    rgb[2] = back & 255;
                }
                image.setRGB(x, y, channel(rgb[0] * scene.light()) << 16 | channel(rgb[1] * scene.light()) << 8
                        | channel(rgb[2] * scene.light()));
            }
        }
        return image;
    }

    /** Whether any object may touch pixel (x, y): the others are pure backdrop, no sampling needed. */
    private static boolean near(Scene scene, int x, int y) {
        for (Thing t : scene.things()) {
            double dx = x + 0.5 - t.x(), dy = y + 0.5 - t.y(), reach = t.radius() + 0.75;
            if (dx * dx + dy * dy <= reach * reach) {
                return true;
            }
        }
        return false;
    }

    /** The mean colour of the pixel's SUB×SUB samples, each the colour of the last thing (or mark) covering it. */
    private static void supersample(Scene scene, double[] cos, double[] sin, int back, int x, int y, double[] rgb) {
        rgb[0] = rgb[1] = rgb[2] = 0;
        for (int sy = 0; sy < SUB; sy++) {
            for (int sx = 0; sx < SUB; sx++) {
                double px = x + (sx + 0.5) / SUB, py = y + (sy + 0.5) / SUB;
                int c = back;
                for (int i = 0; i < cos.length; i++) {
                    Thing t = scene.things().get(i);
                    double dx = px - t.x(), dy = py - t.y();
                    double u = (dx * cos[i] + dy * sin[i]) / t.radius(), v = (dy * cos[i] - dx * sin[i]) / t.radius();
                    if (u * u + v * v <= 1.0001 && t.shape().outline.contains(u, v)) {
                        c = t.colour().rgb();
                        for (Mark m : t.marks()) {
                            if (m.area().contains(u, v)) {
                                c = m.colour().rgb();
                            }
                        }
                    }
                }
                rgb[0] += c >> 16 & 255;
                rgb[1] += c >> 8 & 255;
                rgb[2] += c & 255;
            }
        }
        for (int k = 0; k < 3; k++) {
            rgb[k] /= SUB * SUB;
        }
    }

    /** The backdrop's colour at pixel (x, y): a mix of its palette's two colours, or its plain colour. */
    static int backdrop(Scene scene, int x, int y) {
        Backdrop b = scene.backdrop();
        if (b.plain() != null) {
            return b.plain().rgb();
        }
        long g = scene.grain();
        double t = switch (b.setting()) {
            case SKY -> y / (SIZE - 1.0);
            case GRASS -> 0.55 * noise(g, x, y / 4) + 0.45 * noise(g + 1, x, y); // blades: streaks running down
            case BEACH -> 0.5 * noise(g, x / 2, y / 2) + 0.5 * noise(g + 1, x, y);
            case WATER -> 0.5 + 0.5 * StrictMath.sin(0.9 * y + 1.2 * StrictMath.sin(0.3 * x + 6.283 * noise(g, 0, 0)));
            case STRIPES -> Math.floorMod(x + y + (int) (16 * noise(g, 0, 0)), 16) < 8 ? 0 : 1;
            case PLAIN -> throw new IllegalStateException("a plain backdrop has its colour");
        };
        int p = b.setting().palette[0], q = b.setting().palette[1];
        return mix(p >> 16 & 255, q >> 16 & 255, t) << 16 | mix(p >> 8 & 255, q >> 8 & 255, t) << 8 | mix(p & 255, q & 255, t);
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    private static int channel(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static double noise(long grain, int x, int y) {
        return Hash.unit(grain, x, y);
    }
}
