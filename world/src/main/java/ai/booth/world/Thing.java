package ai.booth.world;

import java.util.List;

/**
 * One object of a scene: a shape in a colour and size, centred at {@code (x, y)} in frame pixels and turned by
 * {@code angle} radians, with the marks of a subject (none for ordinary objects).
 */
public record Thing(Shape shape, Colour colour, Size size, double x, double y, double angle, List<Mark> marks) {

    public Thing {
        marks = List.copyOf(marks);
    }

    public Thing(Shape shape, Colour colour, Size size, double x, double y, double angle) {
        this(shape, colour, size, x, y, angle, List.of());
    }

    public double radius() {
        return size.radius;
    }

    /** Frame x of the unit-coordinate point (u, v). */
    public double frameX(double u, double v) {
        return x + radius() * (u * StrictMath.cos(angle) - v * StrictMath.sin(angle));
    }

    /** Frame y of the unit-coordinate point (u, v). */
    public double frameY(double u, double v) {
        return y + radius() * (u * StrictMath.sin(angle) + v * StrictMath.cos(angle));
    }
}
