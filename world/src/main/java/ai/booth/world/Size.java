package ai.booth.world;

import java.util.Locale;

/** Object sizes as radii in pixels of the 64×64 frame; every shape fits inside its radius. */
public enum Size {
    SMALL(7), MEDIUM(11), LARGE(16);

    public final double radius;

    Size(double radius) {
        this.radius = radius;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
