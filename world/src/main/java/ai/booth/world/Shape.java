package ai.booth.world;

import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;

/**
 * The world's shapes, as outlines in unit coordinates (centre 0,0, y down, inside the unit circle) that the renderer
 * scales, turns and places. Outlines are polygons and ellipses from StrictMath, so they are the same on every JVM.
 */
public enum Shape {
    CIRCLE(new Ellipse2D.Double(-0.9, -0.9, 1.8, 1.8), 0, 0),
    SQUARE(new Rectangle2D.Double(-0.68, -0.68, 1.36, 1.36), 0, 0),
    TRIANGLE(regular(3, 1, 1), 0, 0.1),
    STAR(regular(5, 1, 0.42), 0, 0),
    HEART(heart(), 0, 0),
    RING(ring(0.95, 0.6), 0, -0.775),
    DIAMOND(polygon(0, -1, 0.62, 0, 0, 1, -0.62, 0), 0, 0),
    CROSS(polygon(-0.3, -0.9, 0.3, -0.9, 0.3, -0.3, 0.9, -0.3, 0.9, 0.3, 0.3, 0.3, 0.3, 0.9, -0.3, 0.9, -0.3, 0.3,
            -0.9, 0.3, -0.9, -0.3, -0.3, -0.3), 0, 0);

    /** The outline in unit coordinates. */
    public final java.awt.Shape outline;
    /** A unit-coordinate point well inside the outline (a ring's centre is a hole), where its colour shows. */
    public final double coreX, coreY;

    Shape(java.awt.Shape outline, double coreX, double coreY) {
        this.outline = outline;
        this.coreX = coreX;
        this.coreY = coreY;
    }

    public String noun() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A regular polygon (inner == outer) or star with {@code points} tips, the first pointing up. */
    private static Path2D regular(int points, double outer, double inner) {
        int n = inner == outer ? points : 2 * points;
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double a = -StrictMath.PI / 2 + 2 * StrictMath.PI * i / n;
            double r = i % 2 == 0 ? outer : inner;
            xy[2 * i] = r * StrictMath.cos(a);
            xy[2 * i + 1] = r * StrictMath.sin(a);
        }
        return polygon(xy);
    }

    /** The classic parametric heart, scaled into the unit circle (its tip touches it). */
    private static Path2D heart() {
        int n = 64;
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double t = 2 * StrictMath.PI * i / n;
            double s = StrictMath.sin(t);
            xy[2 * i] = 16 * s * s * s / 17;
            xy[2 * i + 1] = -(13 * StrictMath.cos(t) - 5 * StrictMath.cos(2 * t) - 2 * StrictMath.cos(3 * t)
                    - StrictMath.cos(4 * t)) / 17;
        }
        return polygon(xy);
    }

    private static Path2D ring(double outer, double inner) {
        Path2D ring = new Path2D.Double(Path2D.WIND_EVEN_ODD);
        ring.append(new Ellipse2D.Double(-outer, -outer, 2 * outer, 2 * outer), false);
        ring.append(new Ellipse2D.Double(-inner, -inner, 2 * inner, 2 * inner), false);
        return ring;
    }

    static Path2D polygon(double... xy) {
        Path2D p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }
}
