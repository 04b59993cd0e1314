package ai.booth.world;

/** A patch of colour painted on an object, in its unit coordinates and clipped to its outline (a subject's marks). */
public record Mark(java.awt.Shape area, Colour colour) {
}
