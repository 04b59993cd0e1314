package ai.booth.world;

import java.util.EnumMap;
import java.util.Map;

/**
 * Which shape×colour pairs a scene may show. Each shape has one held-out colour (eight different colours) that never
 * appears in {@link #TRAIN}: generating "a green circle" from a model trained on TRAIN measures whether it composes
 * words it learned apart. Every {@link #HELD_OUT} scene shows at least one held-out pair.
 */
public enum Split {
    TRAIN, HELD_OUT;

    /** The held-out colour of each shape. Changing it changes the world: retrain and say so. */
    public static final Map<Shape, Colour> HELD_OUT_PAIRS = heldOut();

    public static boolean isHeldOut(Shape shape, Colour colour) {
        return HELD_OUT_PAIRS.get(shape) == colour;
    }

    /** Whether a scene belongs to this split. */
    public boolean contains(Scene scene) {
        boolean any = scene.things().stream().anyMatch(t -> isHeldOut(t.shape(), t.colour()));
        return this == HELD_OUT ? any : !any;
    }

    public String word() {
        return this == TRAIN ? "train" : "held_out";
    }

    private static Map<Shape, Colour> heldOut() {
        Map<Shape, Colour> pairs = new EnumMap<>(Shape.class);
        pairs.put(Shape.CIRCLE, Colour.GREEN);
        pairs.put(Shape.SQUARE, Colour.PURPLE);
        pairs.put(Shape.TRIANGLE, Colour.PINK);
        pairs.put(Shape.STAR, Colour.ORANGE);
        pairs.put(Shape.HEART, Colour.YELLOW);
        pairs.put(Shape.RING, Colour.BLUE);
        pairs.put(Shape.DIAMOND, Colour.RED);
        pairs.put(Shape.CROSS, Colour.WHITE);
        return Map.copyOf(pairs);
    }
}
