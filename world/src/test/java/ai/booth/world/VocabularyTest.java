package ai.booth.world;

import org.junit.jupiter.api.Test;

import java.awt.geom.PathIterator;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyTest {

    @Test
    void everyShapeFitsTheUnitCircleSoItsSizeIsItsRadius() {
        for (Shape s : Shape.values()) {
            double[] p = new double[6];
            for (PathIterator it = s.outline.getPathIterator(null, 1e-4); !it.isDone(); it.next()) {
                if (it.currentSegment(p) != PathIterator.SEG_CLOSE) {
                    assertTrue(Math.hypot(p[0], p[1]) <= 1.0001, s + " reaches " + Math.hypot(p[0], p[1]));
                }
            }
        }
    }

    @Test
    void everyShapeWordDrawsItsOwnSilhouette() {
        java.util.List<java.awt.image.BufferedImage> drawn = Arrays.stream(Shape.values()).map(s -> Renderer.render(
                new Scene(Backdrop.plain(Colour.BLACK), java.util.List.of(new Thing(s, Colour.WHITE, Size.LARGE, 32, 32, 0)), 1, 0)))
                .toList();
        for (int i = 0; i < drawn.size(); i++) {
            for (int j = 0; j < i; j++) {
                int differ = 0;
                for (int y = 0; y < Renderer.SIZE; y++) {
                    for (int x = 0; x < Renderer.SIZE; x++) {
                        differ += drawn.get(i).getRGB(x, y) != drawn.get(j).getRGB(x, y) ? 1 : 0;
                    }
                }
                assertTrue(differ > 60, Shape.values()[i] + " and " + Shape.values()[j] + " differ in " + differ + " pixels");
            }
        }
    }

    @Test
    void everyShapesCoreIsWellInsideIt() {
        for (Shape s : Shape.values()) {
            for (int k = 0; k < 16; k++) {
                double a = 2 * Math.PI * k / 16;
                assertTrue(s.outline.contains(s.coreX + 0.15 * Math.cos(a), s.coreY + 0.15 * Math.sin(a)), s.toString());
            }
        }
    }

    @Test
    void everyColourShowsOnMostSettingsAndEverySettingTakesMostColours() {
        Setting[] textured = Arrays.stream(Setting.values()).filter(s -> s != Setting.PLAIN).toArray(Setting[]::new);
        for (Colour c : Colour.values()) {
            long settings = Arrays.stream(textured).filter(s -> Backdrop.of(s).admits(c)).count();
            long plains = Arrays.stream(Colour.values()).filter(p -> Backdrop.plain(p).admits(c)).count();
            assertTrue(settings >= 3 && plains >= 6, c + ": " + settings + " settings, " + plains + " plain colours");
        }
        for (Setting s : textured) {
            long colours = Arrays.stream(Colour.values()).filter(Backdrop.of(s)::admits).count();
            assertTrue(colours >= 6, s + " takes " + colours);
        }
    }
}
