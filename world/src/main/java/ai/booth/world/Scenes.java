package ai.booth.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The base data's distribution: one object (or two, with probability {@link #TWO}) of any shape, colour and size,
 * upright within a small tilt, anywhere in the frame, on a backdrop it stands out on, under plain light.
 */
public final class Scenes {

    static final double TWO = 0.3;
    /** Ordinary objects lean a little, so a subject's turned poses are not out of this world. */
    static final double TILT = 0.25;

    private Scenes() {
    }

    public static Scene draw(Split split, SplittableRandom rng) {
        while (true) { // two large objects may not fit: draw again
            int count = rng.nextDouble() < TWO ? 2 : 1;
            List<Shape> shapes = new ArrayList<>();
            List<Colour> colours = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Shape shape = pick(Shape.values(), rng);
                // a held-out scene's first object is held out; anything else is a training pair
                Colour colour = split == Split.HELD_OUT && i == 0 ? Split.HELD_OUT_PAIRS.get(shape) : trainColour(shape, rng);
                shapes.add(shape);
                colours.add(colour);
            }
            Backdrop backdrop = backdrop(colours, rng);
            List<Thing> things = place(shapes, colours, rng);
            if (things != null) {
                return new Scene(backdrop, things, 1, rng.nextLong());
            }
        }
    }

    private static Colour trainColour(Shape shape, SplittableRandom rng) {
        Colour c;
        do {
            c = pick(Colour.values(), rng);
        } while (Split.isHeldOut(shape, c));
        return c;
    }

    /**
     * A setting at random among those all colours stand out on (plain: in a colour they all stand out on). Colours
     * are drawn first and never redrawn for a backdrop, so every colour is as common as any other.
     */
    static Backdrop backdrop(List<Colour> colours, SplittableRandom rng) {
        List<Colour> plains = Arrays.stream(Colour.values())
                .filter(p -> colours.stream().allMatch(c -> Backdrop.plain(p).admits(c))).toList();
        List<Setting> settings = Arrays.stream(Setting.values()).filter(s -> s == Setting.PLAIN ? !plains.isEmpty()
                : colours.stream().allMatch(Backdrop.of(s)::admits)).toList();
        Setting setting = settings.get(rng.nextInt(settings.size()));
        return setting == Setting.PLAIN ? Backdrop.plain(plains.get(rng.nextInt(plains.size()))) : Backdrop.of(setting);
    }

    /** Sizes, positions and tilts, objects apart from each other and inside the frame; null if they do not fit. */
    private static List<Thing> place(List<Shape> shapes, List<Colour> colours, SplittableRandom rng) {
        List<Thing> things = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            Size size = pick(Size.values(), rng);
            Thing t = null;
            for (int tries = 0; tries < 20 && t == null; tries++) {
                Thing candidate = new Thing(shapes.get(i), colours.get(i), size, coordinate(size.radius, rng),
                        coordinate(size.radius, rng), TILT * (2 * rng.nextDouble() - 1));
                t = things.stream().allMatch(o -> apart(o, candidate)) ? candidate : null;
            }
            if (t == null) {
                return null;
            }
            things.add(t);
        }
        return things;
    }

    /** A centre coordinate that keeps an object of this radius a pixel inside the frame. */
    static double coordinate(double radius, SplittableRandom rng) {
        return radius + 1 + rng.nextDouble() * (Renderer.SIZE - 2 * radius - 2);
    }

    private static boolean apart(Thing a, Thing b) {
        double dx = a.x() - b.x(), dy = a.y() - b.y(), gap = a.radius() + b.radius() + 2;
        return dx * dx + dy * dy >= gap * gap;
    }

    static <T> T pick(T[] values, SplittableRandom rng) {
        return values[rng.nextInt(values.length)];
    }
}
