package ai.booth.world;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptionTest {

    static List<Example> examples() {
        List<Example> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(World.base(11, Split.TRAIN, i));
            all.add(World.base(11, Split.HELD_OUT, i));
        }
        return all;
    }

    @Test
    void everyCaptionNamesEachObjectAndThePlaceAndNothingElse() {
        Set<String> colours = Arrays.stream(Colour.values()).map(Colour::word).collect(Collectors.toSet());
        Set<String> shapes = Arrays.stream(Shape.values()).map(Shape::noun).collect(Collectors.toSet());
        for (Example e : examples()) {
            String text = e.caption();
            for (Thing t : e.scene().things()) {
                assertTrue(text.contains(Captioner.object(t)), text + " should name " + t);
                assertEquals(t.size() != Size.MEDIUM, text.contains(t.size().word() + " " + t.colour().word()), text);
            }
            assertTrue(text.endsWith(" " + Captioner.place(e.scene().backdrop())), text);
            List<String> words = List.of(text.split(" "));
            Set<String> drawn = e.scene().things().stream().map(t -> t.colour().word()).collect(Collectors.toSet());
            if (e.scene().backdrop().plain() != null) {
                drawn.add(e.scene().backdrop().plain().word());
            }
            assertEquals(drawn, words.stream().filter(colours::contains).collect(Collectors.toSet()), text);
            assertEquals(e.scene().things().stream().map(t -> t.shape().noun()).toList(),
                    words.stream().filter(shapes::contains).toList(), text);
            for (int i = 0; i + 1 < words.size(); i++) {
                boolean vowel = "aeiou".indexOf(words.get(i + 1).charAt(0)) >= 0;
                assertFalse(words.get(i).equals(vowel ? "a" : "an"), "article in: " + text);
            }
        }
    }

    @Test
    void eachObjectsColourIsDrawnWhereItStandsAndTheBackdropEverywhereElse() {
        for (Example e : examples()) {
            Scene s = e.scene();
            BufferedImage image = Renderer.render(s);
            for (Thing t : s.things()) {
                int rgb = Pixels.at(image, t.frameX(t.shape().coreX, t.shape().coreY), t.frameY(t.shape().coreX, t.shape().coreY));
                assertTrue(t.colour().distance(rgb) < 10, e.caption() + ": " + t.colour() + " at its core, found "
                        + Integer.toHexString(rgb));
            }
            int[] palette = s.backdrop().palette();
            int away = 0;
            for (int y = 0; y < Renderer.SIZE; y++) {
                for (int x = 0; x < Renderer.SIZE; x++) {
                    if (farFromEveryThing(s, x + 0.5, y + 0.5)) {
                        away++;
                        int rgb = image.getRGB(x, y) & 0xFFFFFF;
                        assertTrue(Pixels.inPaletteBox(rgb, palette), e.caption() + ": backdrop at " + x + "," + y);
                        for (Thing t : s.things()) {
                            assertTrue(t.colour().standsOut(rgb), e.caption() + ": " + t.colour() + " would not show");
                        }
                    }
                }
            }
            assertTrue(away > 0.25 * Renderer.SIZE * Renderer.SIZE, e.caption() + ": mostly backdrop");
        }
    }

    @Test
    void aPlainBackgroundIsExactlyItsColour() {
        Scene s = new Scene(Backdrop.plain(Colour.BLUE), List.of(new Thing(Shape.CIRCLE, Colour.RED, Size.LARGE, 32, 32, 0)), 1, 5);
        BufferedImage image = Renderer.render(s);
        assertEquals(Colour.BLUE.rgb(), image.getRGB(2, 2) & 0xFFFFFF);
        assertEquals(Colour.RED.rgb(), image.getRGB(32, 32) & 0xFFFFFF);
        assertTrue(Captioner.caption(s, new java.util.SplittableRandom(1)).endsWith("large red circle on a blue background"));
    }

    private static boolean farFromEveryThing(Scene s, double x, double y) {
        return s.things().stream().allMatch(t -> Math.hypot(x - t.x(), y - t.y()) > t.radius() + 1);
    }
}
