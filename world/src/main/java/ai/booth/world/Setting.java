package ai.booth.world;

import java.util.Locale;

/**
 * Where a scene takes place. Every textured setting is painted between its two palette colours (the renderer only
 * mixes them), so the palette is exactly the range of its pixels and decides which object colours stand out on it.
 */
public enum Setting {
    /** One named colour ({@link Backdrop#plain()}): no palette of its own. */
    PLAIN(),
    SKY(0x508CE1, 0xB9D7F5),
    GRASS(0x32732A, 0x5AA53C),
    BEACH(0xCDB47D, 0xF0D79B),
    WATER(0x1E5596, 0x3C7DBE),
    STRIPES(0xF0EBDC, 0x5A6E8C);

    final int[] palette;

    Setting(int... palette) {
        this.palette = palette;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether an object of this colour is visible on this setting (for PLAIN, see {@link Backdrop#admits}). */
    boolean admits(Colour colour) {
        return colour.standsOut(palette[0], palette[1]);
    }
}
