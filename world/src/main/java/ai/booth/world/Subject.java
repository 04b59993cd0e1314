package ai.booth.world;

import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.util.List;

/**
 * A specific object the base data never shows, for DreamBooth: an ordinary member of its class ({@link #shape}, the
 * class noun) with marks no ordinary object has. Prompts name it by {@link #token}: "a photo of sks star".
 */
public record Subject(String name, String token, Shape shape, Colour colour, List<Mark> marks) {

    public Subject {
        marks = List.copyOf(marks);
    }

    /**
     * A purple star (purple stars are common in the base data) with a yellow band across its middle, a black zigzag
     * along the band and a red dot on its top tip.
     */
    public static final Subject ZIGZAG_STAR = new Subject("zigzag-star", "sks", Shape.STAR, Colour.PURPLE, List.of(
            new Mark(new Rectangle2D.Double(-1, -0.22, 2, 0.44), Colour.YELLOW),
            new Mark(zigzag(-1, 1, 10, 0.12, 0.07), Colour.BLACK),
            new Mark(new Ellipse2D.Double(-0.16, -0.68, 0.32, 0.32), Colour.RED)));

    public static List<Subject> all() {
        return List.of(ZIGZAG_STAR);
    }

    public static Subject named(String name) {
        return all().stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no subject '" + name + "'; there are "
                        + all().stream().map(Subject::name).toList()));
    }

    /** The prompt its photos are trained with. */
    public String instancePrompt() {
        return "a photo of " + token + " " + shape.noun();
    }

    /** The prompt of ordinary members of its class (prior preservation). */
    public String classPrompt() {
        return "a photo of " + Captioner.withArticle(shape.noun());
    }

    /** The subject posed in a frame. */
    public Thing pose(Size size, double x, double y, double angle) {
        return new Thing(shape, colour, size, x, y, angle, marks);
    }

    /** A horizontal zigzag line from x0 to x1 with {@code teeth} segments of height ±amp and half-thickness {@code half}. */
    private static java.awt.Shape zigzag(double x0, double x1, int teeth, double amp, double half) {
        double[] xy = new double[4 * (teeth + 1)];
        for (int i = 0; i <= teeth; i++) {
            double x = x0 + (x1 - x0) * i / teeth, y = i % 2 == 0 ? -amp : amp;
            xy[2 * i] = x; // upper edge left to right, then lower edge back
            xy[2 * i + 1] = y - half;
            xy[4 * (teeth + 1) - 2 * i - 2] = x;
            xy[4 * (teeth + 1) - 2 * i - 1] = y + half;
        }
        return Shape.polygon(xy);
    }
}
