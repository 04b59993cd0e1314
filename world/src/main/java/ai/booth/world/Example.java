package ai.booth.world;

/** A scene and its caption: one image of a dataset. */
public record Example(Scene scene, String caption) {
}
