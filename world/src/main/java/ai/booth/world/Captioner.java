package ai.booth.world;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Captions a scene from templates: "[a photo of |a picture of ]OBJECT[ and OBJECT] PLACE", where an object is
 * "a [small |large ]COLOUR SHAPE" (medium is the unnamed default) and the place names the backdrop.
 */
public final class Captioner {

    static final List<String> PREFIXES = List.of("a photo of ", "a picture of ", "");

    private Captioner() {
    }

    public static String caption(Scene scene, SplittableRandom rng) {
        String objects = scene.things().stream().map(Captioner::object).collect(Collectors.joining(" and "));
        return PREFIXES.get(rng.nextInt(PREFIXES.size())) + objects + " " + place(scene.backdrop());
    }

    static String object(Thing t) {
        String size = t.size() == Size.MEDIUM ? "" : t.size().word() + " ";
        return withArticle(size + t.colour().word() + " " + t.shape().noun());
    }

    /** Where the scene is: "on the beach", "in the sky", "on a blue background"… */
    public static String place(Backdrop b) {
        return switch (b.setting()) {
            case PLAIN -> "on " + withArticle(b.plain().word() + " background");
            case SKY -> "in the sky";
            case GRASS -> "on grass";
            case BEACH -> "on the beach";
            case WATER -> "on water";
            case STRIPES -> "on a striped background";
        };
    }

    static String withArticle(String phrase) {
        return ("aeiou".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ") + phrase;
    }
}
