package ai.booth.diffusion.train;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The images of a DreamBooth job: the subject's instance images, each with its prompt (the instance prompt, or a
 * caption of its own), and optional class images with the class prompt for prior preservation. Images are read
 * when encoded, one at a time.
 */
public record DreamBoothDataset(List<Example> instances, List<Example> classes) {

    /** File types read from folders (what ImageIO reads without plugins). */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    /** One image and the prompt it is trained with; {@code name} identifies it in errors and logs. */
    public record Example(String name, Supplier<BufferedImage> image, String prompt) { }

    public DreamBoothDataset {
        instances = List.copyOf(instances);
        classes = classes == null ? List.of() : List.copyOf(classes);
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("a DreamBooth dataset needs at least one instance image");
        }
    }

    /**
     * Instance images from {@code instanceDir} (a {@code <image>.txt} next to an image is its caption, replacing the
     * instance prompt, as kohya's captions) and, if {@code classDir} is not null, class images with
     * {@code classPrompt}. Files are taken in name order, so a folder always gives the same dataset.
     */
    public static DreamBoothDataset fromFolders(Path instanceDir, String instancePrompt, Path classDir,
                                                String classPrompt) {
        List<Example> instances = folder(instanceDir, instancePrompt, true);
        List<Example> classes = classDir == null ? List.of() : folder(classDir, classPrompt, false);
        return new DreamBoothDataset(instances, classes);
    }

    private static List<Example> folder(Path dir, String prompt, boolean captions) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder " + dir + " does not exist");
        }
        List<Path> images;
        try (Stream<Path> files = Files.list(dir)) {
            images = files.filter(f -> Files.isRegularFile(f) && isImage(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images (" + IMAGE_EXTENSIONS + ") in " + dir);
        }
        return images.stream().map(f -> new Example(f.getFileName().toString(), () -> read(f),
                captions ? caption(f, prompt) : prompt)).toList();
    }

    private static String caption(Path image, String fallback) {
        String name = image.getFileName().toString();
        Path txt = image.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".txt");
        try {
            String text = Files.isRegularFile(txt) ? Files.readString(txt).strip() : "";
            return text.isEmpty() ? fallback : text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read caption " + txt, e);
        }
    }

    private static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new IllegalArgumentException("cannot decode image " + file);
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file, e);
        }
    }

    /** Whether a file name has one of {@link #IMAGE_EXTENSIONS}. */
    public static boolean isImage(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot >= 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
