package ai.booth.world;

import java.util.Locale;

/** The world's named colours, each one fixed RGB: the caption's word always means the same pixels. */
public enum Colour {
    RED(220, 30, 30), ORANGE(245, 135, 20), YELLOW(245, 215, 30), GREEN(40, 160, 50), BLUE(30, 70, 210),
    PURPLE(130, 50, 170), PINK(245, 130, 190), WHITE(250, 250, 250), BLACK(20, 20, 20), BROWN(120, 70, 30);

    /** Colours closer than this (Euclidean RGB) are not put on each other: the caption must be visible. */
    static final double CLASH = 90;

    public final int r, g, b;

    Colour(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int rgb() {
        return r << 16 | g << 8 | b;
    }

    /** Euclidean distance to a packed 0xRRGGBB. */
    public double distance(int rgb) {
        int dr = r - (rgb >> 16 & 255), dg = g - (rgb >> 8 & 255), db = b - (rgb & 255);
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** Whether this colour is visible on top of (or next to) {@code rgb}. */
    public boolean standsOut(int rgb) {
        return standsOut(rgb, rgb);
    }

    /** Whether this colour is visible on every mix of {@code p} and {@code q} (a textured backdrop's pixels). */
    public boolean standsOut(int p, int q) {
        double[] a = channels(p), d = channels(q), c = channels(rgb());
        double dd = 0, cd = 0;
        for (int k = 0; k < 3; k++) {
            d[k] -= a[k];
            dd += d[k] * d[k];
            cd += (c[k] - a[k]) * d[k];
        }
        double t = dd == 0 ? 0 : Math.max(0, Math.min(1, cd / dd)), sq = 0; // the nearest mix
        for (int k = 0; k < 3; k++) {
            double e = c[k] - a[k] - t * d[k];
            sq += e * e;
        }
        return Math.sqrt(sq) >= CLASH;
    }

    private static double[] channels(int rgb) {
        return new double[] {rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255};
    }
}
