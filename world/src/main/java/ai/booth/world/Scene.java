package ai.booth.world;

import java.util.List;

/**
 * Everything an image shows: a backdrop, objects painted in order, a brightness factor ({@code light}, 1 for the base
 * data) and {@code grain}, which seeds the backdrop's texture. A scene renders to the same pixels every time.
 */
public record Scene(Backdrop backdrop, List<Thing> things, double light, long grain) {

    public Scene {
        things = List.copyOf(things);
        if (!(light > 0)) {
            throw new IllegalArgumentException("light must be positive: " + light);
        }
    }
}
