package ai.booth.world;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitTest {

    @Test
    void eachShapeHoldsOutOneColourAndNoTwoShapesTheSame() {
        assertEquals(EnumSet.allOf(Shape.class), EnumSet.copyOf(Split.HELD_OUT_PAIRS.keySet()));
        assertEquals(Shape.values().length, Set.copyOf(Split.HELD_OUT_PAIRS.values()).size());
    }

    @Test
    void heldOutPairsNeverAppearInTheTrainingSplitNorItsCaptions() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            Example e = World.base(5, Split.TRAIN, i);
            assertTrue(Split.TRAIN.contains(e.scene()));
            for (Thing t : e.scene().things()) {
                assertFalse(Split.isHeldOut(t.shape(), t.colour()), e.caption());
                seen.add(t.shape() + " " + t.colour());
            }
            for (Map.Entry<Shape, Colour> held : Split.HELD_OUT_PAIRS.entrySet()) {
                assertFalse(e.caption().contains(held.getValue().word() + " " + held.getKey().noun()), e.caption());
            }
        }
        int pairs = Shape.values().length * Colour.values().length - Split.HELD_OUT_PAIRS.size();
        assertEquals(pairs, seen.size(), "the training split shows every other pair");
    }

    @Test
    void everyHeldOutSceneShowsAHeldOutPairAndEveryPairIsShown() {
        Set<Shape> shown = EnumSet.noneOf(Shape.class);
        for (int i = 0; i < 300; i++) {
            Example e = World.base(5, Split.HELD_OUT, i);
            assertTrue(Split.HELD_OUT.contains(e.scene()), e.caption());
            assertFalse(Split.TRAIN.contains(e.scene()), e.caption());
            e.scene().things().stream().filter(t -> Split.isHeldOut(t.shape(), t.colour())).forEach(t -> shown.add(t.shape()));
        }
        assertEquals(EnumSet.allOf(Shape.class), shown);
    }
}
