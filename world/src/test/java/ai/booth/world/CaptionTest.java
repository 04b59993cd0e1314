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

    /** The place a caption names, read back from the backdrop's pixels by rules that know no palette. */
    @Test
    void thePlaceInEachCaptionIsWhatTheBackdropPixelsShow() {
        for (Example e : examples()) {
            Scene s = e.scene();
            BufferedImage image = Renderer.render(s);
            java.util.Map<Integer, Integer> values = new java.util.HashMap<>();
            double[] sum = new double[3];
            double[] rows = new double[Renderer.SIZE];
            int[] perRow = new int[Renderer.SIZE];
            for (int y = 0; y < Renderer.SIZE; y++) {
                for (int x = 0; x < Renderer.SIZE; x++) {
                    if (farFromEveryThing(s, x + 0.5, y + 0.5)) {
                        int rgb = image.getRGB(x, y) & 0xFFFFFF;
                        values.merge(rgb, 1, Integer::sum);
                        sum[0] += rgb >> 16 & 255;
                        sum[1] += rgb >> 8 & 255;
                        sum[2] += rgb & 255;
                        rows[y] += (rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255);
                        perRow[y]++;
                    }
                }
            }
            double r = sum[0], g = sum[1], b = sum[2];
            String seen;
            if (values.size() == 1) {
                int rgb = values.keySet().iterator().next();
                Colour c = Arrays.stream(Colour.values()).filter(k -> k.rgb() == rgb).findFirst().orElseThrow();
                seen = "on " + (c == Colour.ORANGE ? "an " : "a ") + c.word() + " background";
            } else if (values.size() == 2) {
                seen = "on a striped background";
            } else if (g > r && g > b) {
                seen = "on grass";
            } else if (r > g && g > b) {
                seen = "on the beach";
            } else if (b > g && g > r) {
                seen = brightensDownwards(rows, perRow) ? "in the sky" : "on water";
            } else {
                seen = "something else";
            }
            assertTrue(e.caption().endsWith(" " + seen), e.caption() + ": the pixels show " + seen);
        }
    }

    /** Every row with backdrop is at least as bright as every row above it (a gradient, not waves). */
    private static boolean brightensDownwards(double[] rows, int[] perRow) {
        double last = -1;
        for (int y = 0; y < rows.length; y++) {
            if (perRow[y] > 0) {
                double mean = rows[y] / perRow[y];
                if (mean < last) {
                    return false;
                }
                last = mean;
            }
        }
        return true;
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
