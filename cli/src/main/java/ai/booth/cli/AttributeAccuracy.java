package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.Similarity;
import ai.booth.world.Attributes;
import ai.booth.world.Colour;
import ai.booth.world.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Zero-shot attribute accuracy with a CLIP (the world scorer): an image shows its prompt's first object when, among the
 * prompts that differ from it in that object's shape only, the prompt's own scores highest, and likewise among those
 * that differ in its colour only.
 *
 * @param both   share of images right in shape and colour
 * @param shape  share right in shape
 * @param colour share right in colour
 * @param right  per image, whether it was right in both
 */
record AttributeAccuracy(double both, double shape, double colour, int images, List<Boolean> right) {

    static AttributeAccuracy score(EvalEncoders scorer, List<RgbImage> images, List<String> prompts) {
        if (images.size() != prompts.size() || images.isEmpty()) {
            throw new IllegalArgumentException(images.size() + " images for " + prompts.size() + " prompts");
        }
        List<List<String>> byShape = prompts.stream().map(Attributes::withEachShape).toList();
        List<List<String>> byColour = prompts.stream().map(Attributes::withEachColour).toList();
        Map<String, float[]> text = new LinkedHashMap<>();
        Stream.concat(byShape.stream(), byColour.stream()).flatMap(List::stream).forEach(c -> text.put(c, null));
        List<String> distinct = new ArrayList<>(text.keySet());
        float[][] rows = scorer.clipTextEmbeds(distinct);
        for (int i = 0; i < rows.length; i++) {
            text.put(distinct.get(i), rows[i]);
        }
        float[][] pictures = scorer.clipImageEmbeds(images);
        int shapes = 0;
        int colours = 0;
        List<Boolean> right = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Attributes.Asked asked = Attributes.first(prompts.get(i)).orElseThrow();
            boolean s = best(pictures[i], byShape.get(i), text) == asked.shape().ordinal();
            boolean c = best(pictures[i], byColour.get(i), text) == asked.colour().ordinal();
            shapes += s ? 1 : 0;
            colours += c ? 1 : 0;
            right.add(s && c);
        }
        int n = images.size();
        long both = right.stream().filter(b -> b).count();
        return new AttributeAccuracy((double) both / n, (double) shapes / n, (double) colours / n, n, right);
    }

    private static int best(float[] image, List<String> candidates, Map<String, float[]> text) {
        int best = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < candidates.size(); k++) {
            double cos = Similarity.cosine(image, text.get(candidates.get(k)));
            if (cos > top) {
                top = cos;
                best = k;
            }
        }
        return best;
    }

    /** Chance level of {@link #both}: one shape in {@link Shape}'s and one colour in {@link Colour}'s. */
    static double chance() {
        return 1.0 / (Shape.values().length * Colour.values().length);
    }
}
