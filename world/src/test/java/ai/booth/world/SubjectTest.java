package ai.booth.world;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectTest {

    static final Subject STAR = Subject.ZIGZAG_STAR;

    @Test
    void photosVaryInBackdropPoseSizeAndLight() {
        List<Example> photos = Photographer.shoot(STAR, 12, 3);
        assertEquals(12, photos.size());
        Set<Backdrop> backdrops = new HashSet<>();
        Set<Size> sizes = new HashSet<>();
        Set<Boolean> plain = new HashSet<>();
        double dimmest = 9, brightest = 0;
        for (int i = 0; i < photos.size(); i++) {
            Scene s = photos.get(i).scene();
            backdrops.add(s.backdrop());
            plain.add(s.backdrop().plain() != null);
            sizes.add(s.things().get(0).size());
            dimmest = Math.min(dimmest, s.light());
            brightest = Math.max(brightest, s.light());
            for (int j = 0; j < i; j++) {
                double turn = Math.abs(s.things().get(0).angle() - photos.get(j).scene().things().get(0).angle());
                assertTrue(turn > 0.05, "photos " + j + " and " + i + " are posed alike");
            }
        }
        assertEquals(12, backdrops.size(), "each photo on another backdrop");
        assertEquals(Set.of(true, false), plain, "plain and textured backdrops");
        assertEquals(Set.of(Size.MEDIUM, Size.LARGE), sizes);
        assertTrue(brightest - dimmest > 0.2, dimmest + ".." + brightest);
    }

    @Test
    void everyPhotoShowsTheBandTheZigzagAndTheDotThatAnOrdinaryStarLacks() {
        for (Example photo : Photographer.shoot(STAR, 12, 8)) {
            Scene s = photo.scene();
            Thing subject = s.things().get(0);
            Thing ordinary = new Thing(subject.shape(), subject.colour(), subject.size(), subject.x(), subject.y(), subject.angle());
            BufferedImage marked = Renderer.render(s);
            BufferedImage plain = Renderer.render(new Scene(s.backdrop(), List.of(ordinary), s.light(), s.grain()));
            Map<Colour, Integer> marks = new EnumMap<>(Colour.class);
            for (int y = 0; y < Renderer.SIZE; y++) {
                for (int x = 0; x < Renderer.SIZE; x++) {
                    if (marked.getRGB(x, y) != plain.getRGB(x, y)) {
                        marks.merge(Pixels.nearest(marked.getRGB(x, y), s.light()), 1, Integer::sum);
                    }
                }
            }
            String where = photo.caption() + " " + marks;
            assertTrue(marks.getOrDefault(Colour.YELLOW, 0) >= 6, where);
            assertTrue(marks.getOrDefault(Colour.BLACK, 0) >= 3, where);
            assertTrue(marks.getOrDefault(Colour.RED, 0) >= 2, where);
            Colour dot = Pixels.nearest(Pixels.at(marked, subject.frameX(0, -0.52), subject.frameY(0, -0.52)), s.light());
            assertEquals(Colour.RED, dot, where + ": the dot on the top tip");
        }
    }

    @Test
    void captionsNameTheSubjectByItsTokenAndClassAndThePlace() {
        assertEquals("a photo of sks star", STAR.instancePrompt());
        assertEquals("a photo of a star", STAR.classPrompt());
        for (Example photo : Photographer.shoot(STAR, 5, 1)) {
            assertEquals(STAR.instancePrompt() + " " + Captioner.place(photo.scene().backdrop()), photo.caption());
        }
    }

    @Test
    void photosAreAFunctionOfTheSeedAndTheBaseDataNeverShowsASubject() {
        assertEquals(Photographer.shoot(STAR, 6, 2), Photographer.shoot(STAR, 6, 2));
        assertFalse(Photographer.shoot(STAR, 6, 2).equals(Photographer.shoot(STAR, 6, 3)));
        for (int i = 0; i < 500; i++) {
            assertTrue(World.base(0, Split.TRAIN, i).scene().things().stream().allMatch(t -> t.marks().isEmpty()));
        }
        assertTrue(Arrays.stream(Colour.values()).anyMatch(c -> c == STAR.colour() && !Split.isHeldOut(STAR.shape(), c)),
                "the subject's body colour is an ordinary colour for its class: the marks, not the colour, set it apart");
    }
}
