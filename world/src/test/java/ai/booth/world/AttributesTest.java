package ai.booth.world;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributesTest {

    @Test
    void theFirstObjectOfACaptionIsReadAndVariedOneAttributeAtATime() {
        String caption = "a small blue ring and a yellow square on grass";
        assertEquals(Optional.of(new Attributes.Asked(Colour.BLUE, Shape.RING)), Attributes.first(caption));
        List<String> shapes = Attributes.withEachShape(caption);
        assertEquals(Shape.values().length, shapes.size());
        assertEquals(caption, shapes.get(Shape.RING.ordinal()));
        assertEquals("a small blue star and a yellow square on grass", shapes.get(Shape.STAR.ordinal()));
        List<String> colours = Attributes.withEachColour(caption);
        assertEquals("a small orange ring and a yellow square on grass", colours.get(Colour.ORANGE.ordinal()));
        assertEquals(caption, colours.get(Colour.BLUE.ordinal()));
        assertEquals("a photo of an orange star on a red background",
                Attributes.withEachColour("a photo of a red star on a red background").get(Colour.ORANGE.ordinal()));
    }

    @Test
    void everyWorldCaptionNamesItsFirstObjectsAttributes() {
        for (int i = 0; i < 200; i++) {
            Example e = World.base(0, Split.HELD_OUT, i);
            Thing first = e.scene().things().get(0);
            assertEquals(Optional.of(new Attributes.Asked(first.colour(), first.shape())),
                    Attributes.first(e.caption()), e.caption());
        }
    }

    @Test
    void aCaptionWithoutAWorldObjectIsRefusedByName() {
        assertTrue(Attributes.first("a photo of sks star on the beach").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attributes.withEachShape("a photo of a dog"));
        assertTrue(e.getMessage().contains("a photo of a dog"), e.getMessage());
    }
}
