package ai.booth.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The attributes a caption asks of its first object, and the captions that differ from it in one attribute only —
 * what zero-shot attribute scoring ranks: does the image match "a red star on grass" better than "a blue star on
 * grass", "a red heart on grass", …?
 */
public final class Attributes {

    /** The first object a caption names. */
    public record Asked(Colour colour, Shape shape) { }

    private static final Pattern FIRST = Pattern.compile("\\b(?:a|an) ((?:small |large )?)("
            + Arrays.stream(Colour.values()).map(Colour::word).collect(Collectors.joining("|")) + ") ("
            + Arrays.stream(Shape.values()).map(Shape::noun).collect(Collectors.joining("|")) + ")\\b");

    private Attributes() {
    }

    /** The colour and shape of the first object {@code caption} names, if it names one in the world's words. */
    public static Optional<Asked> first(String caption) {
        Matcher m = FIRST.matcher(caption);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new Asked(Colour.valueOf(m.group(2).toUpperCase(java.util.Locale.ROOT)),
                Shape.valueOf(m.group(3).toUpperCase(java.util.Locale.ROOT))));
    }

    /** {@code caption} with its first object's shape replaced by each shape, in {@link Shape} order. */
    public static List<String> withEachShape(String caption) {
        Asked asked = require(caption);
        List<String> out = new ArrayList<>();
        for (Shape s : Shape.values()) {
            out.add(replaceFirst(caption, asked.colour(), s));
        }
        return out;
    }

    /** {@code caption} with its first object's colour replaced by each colour, in {@link Colour} order. */
    public static List<String> withEachColour(String caption) {
        Asked asked = require(caption);
        List<String> out = new ArrayList<>();
        for (Colour c : Colour.values()) {
            out.add(replaceFirst(caption, c, asked.shape()));
        }
        return out;
    }

    private static Asked require(String caption) {
        return first(caption).orElseThrow(() -> new IllegalArgumentException("the caption names no object of the "
                + "world (a COLOUR SHAPE): " + caption));
    }

    private static String replaceFirst(String caption, Colour colour, Shape shape) {
        Matcher m = FIRST.matcher(caption);
        m.find();
        String object = Captioner.withArticle(m.group(1) + colour.word() + " " + shape.noun());
        return caption.substring(0, m.start()) + object + caption.substring(m.end());
    }
}
