package ai.booth.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Takes a subject's DreamBooth instance photos: each on another backdrop (cycling through every one the subject
 * stands out on, in a seeded order), turned to another pose, medium or large, anywhere in the frame, under brighter
 * or dimmer light. Captions are the instance prompt plus the place: "a photo of sks star on the beach".
 */
public final class Photographer {

    static final double MIN_LIGHT = 0.75, MAX_LIGHT = 1.25;
    private static final double GOLDEN_ANGLE = StrictMath.PI * (3 - StrictMath.sqrt(5));

    private Photographer() {
    }

    public static List<Example> shoot(Subject subject, int count, long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one photo: " + count);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Backdrop> backdrops = backdrops(subject.colour(), rng);
        double turn = 2 * StrictMath.PI * rng.nextDouble();
        List<Example> photos = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Size size = rng.nextBoolean() ? Size.MEDIUM : Size.LARGE;
            // golden-angle steps: any number of photos spreads evenly over the turns
            double angle = (turn + i * GOLDEN_ANGLE) % (2 * StrictMath.PI);
            Thing t = subject.pose(size, Scenes.coordinate(size.radius, rng), Scenes.coordinate(size.radius, rng), angle);
            double light = MIN_LIGHT + (MAX_LIGHT - MIN_LIGHT) * rng.nextDouble();
            Backdrop backdrop = backdrops.get(i % backdrops.size());
            Scene scene = new Scene(backdrop, List.of(t), light, rng.nextLong());
            photos.add(new Example(scene, subject.instancePrompt() + " " + Captioner.place(backdrop)));
        }
        return photos;
    }

    /**
     * Every textured setting the colour stands out on, and every plain colour it does, each kind shuffled and the two
     * taken in turn, so even a few photos show both kinds.
     */
    static List<Backdrop> backdrops(Colour colour, SplittableRandom rng) {
        List<Backdrop> textured = new ArrayList<>(), plain = new ArrayList<>();
        for (Setting s : Setting.values()) {
            if (s != Setting.PLAIN) {
                textured.add(Backdrop.of(s));
            }
        }
        for (Colour c : Colour.values()) {
            plain.add(Backdrop.plain(c));
        }
        textured = shuffled(textured.stream().filter(b -> b.admits(colour)).toList(), rng);
        plain = shuffled(plain.stream().filter(b -> b.admits(colour)).toList(), rng);
        List<Backdrop> all = new ArrayList<>();
        for (int i = 0; i < Math.max(textured.size(), plain.size()); i++) {
            if (i < textured.size()) {
                all.add(textured.get(i));
            }
            if (i < plain.size()) {
                all.add(plain.get(i));
            }
        }
        return all;
    }

    private static <T> List<T> shuffled(List<T> list, SplittableRandom rng) {
        List<T> out = new ArrayList<>(list);
        for (int i = out.size() - 1; i > 0; i--) {
            out.set(i, out.set(rng.nextInt(i + 1), out.get(i)));
        }
        return out;
    }
}
