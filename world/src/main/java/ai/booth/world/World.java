package ai.booth.world;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The world's entry points: its examples by seed and index, and datasets written as folders in the diffusers / HF
 * {@code imagefolder} layout (PNGs plus {@code metadata.jsonl} with {@code file_name} and {@code text}).
 *
 * From the command line: {@code ./booth world base|subject} (cli's WorldCommand).
 *
 * {@code scale} writes each pixel as a K×K block (64·K pixels a side): the dataset service refuses photos whose crop
 * is under half its training size (at least 256), so world photos for an upload are written at {@code --scale 4};
 * an area or bilinear resize back to 64 gives the original pixels.
 */
public final class World {

    public static final long DEFAULT_SEED = 0;

    private World() {
    }

    /**
     * Example {@code index} of a split: its own random stream, so it does not depend on the dataset's size and the
     * first k examples of a large dataset are a small one.
     */
    public static Example base(long seed, Split split, int index) {
        SplittableRandom rng = new SplittableRandom(Hash.mix(seed, split.ordinal(), index));
        Scene scene = Scenes.draw(split, rng);
        return new Example(scene, Captioner.caption(scene, rng));
    }

    /**
     * {@code count} base examples: {@code dir/NNNNN.png} and {@code dir/metadata.jsonl}, whose lines also list the
     * objects (shape, colour, size) and background, for attribute scoring.
     */
    public static Path writeBase(Path dir, long seed, Split split, int count) {
        return writeBase(dir, seed, split, count, 1);
    }

    public static Path writeBase(Path dir, long seed, Split split, int count, int scale) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Example e = base(seed, split, i);
            String file = String.format(Locale.ROOT, "%05d.png", i);
            write(dir.resolve(file), e.scene(), scale);
            lines.add(json(file, e, "\"split\": " + quote(split.word())));
        }
        return writeLines(dir.resolve("metadata.jsonl"), lines);
    }

    /**
     * A subject's {@code count} instance photos as {@code dir/photos/NN.png} (only PNGs, the folder
     * {@code ./booth train --images} and a dataset upload take), {@code dir/metadata.jsonl} with their captions and
     * {@code dir/subject.json} with its token, class and prompts.
     */
    public static Path writeSubject(Path dir, Subject subject, long seed, int count) {
        return writeSubject(dir, subject, seed, count, 1);
    }

    public static Path writeSubject(Path dir, Subject subject, long seed, int count, int scale) {
        List<Example> photos = Photographer.shoot(subject, count, seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < photos.size(); i++) {
            String file = String.format(Locale.ROOT, "photos/%02d.png", i);
            write(dir.resolve(file), photos.get(i).scene(), scale);
            lines.add(json(file, photos.get(i), "\"subject\": " + quote(subject.name())));
        }
        writeLines(dir.resolve("subject.json"), List.of("{\"name\": " + quote(subject.name()) + ", \"token\": "
                + quote(subject.token()) + ", \"class\": " + quote(subject.shape().noun()) + ", \"instance_prompt\": "
                + quote(subject.instancePrompt()) + ", \"class_prompt\": " + quote(subject.classPrompt()) + "}"));
        return writeLines(dir.resolve("metadata.jsonl"), lines);
    }

    private static void write(Path file, Scene scene, int scale) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, Png.encode(upscale(Renderer.render(scene), scale)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Each pixel as a scale×scale block. */
    static BufferedImage upscale(BufferedImage image, int scale) {
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be at least 1: " + scale);
        }
        if (scale == 1) {
            return image;
        }
        BufferedImage big = new BufferedImage(image.getWidth() * scale, image.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < big.getHeight(); y++) {
            for (int x = 0; x < big.getWidth(); x++) {
                big.setRGB(x, y, image.getRGB(x / scale, y / scale));
            }
        }
        return big;
    }

    private static Path writeLines(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, lines);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String json(String file, Example e, String extra) {
        Backdrop b = e.scene().backdrop();
        String objects = e.scene().things().stream().map(t -> "{\"shape\": " + quote(t.shape().noun())
                + ", \"colour\": " + quote(t.colour().word()) + ", \"size\": " + quote(t.size().word()) + "}")
                .collect(Collectors.joining(", ", "[", "]"));
        return "{\"file_name\": " + quote(file) + ", \"text\": " + quote(e.caption()) + ", " + extra
                + ", \"objects\": " + objects + ", \"background\": " + quote(b.setting().word())
                + (b.plain() == null ? "" : ", \"background_colour\": " + quote(b.plain().word())) + "}";
    }

    /** A JSON string (the world's words are plain ASCII; quotes, backslashes and controls are escaped anyway). */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
