package ai.booth.diffusion.eval;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B: what PIL's {@code convert("RGB")} gives. */
public record RgbImage(int width, int height, byte[] rgb) {

    private static final Pattern IMAGE = Pattern.compile("(?i).+\\.(png|jpe?g|bmp|gif)$");

    public RgbImage {
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("RGB data of " + rgb.length + " bytes for a " + width + "x" + height
                    + " image");
        }
    }

    /** Sample of channel {@code c} at (x, y), 0..255. */
    public int at(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Reads a PNG, JPEG, BMP or GIF; alpha is dropped, not composited (as PIL's convert("RGB")). */
    public static RgbImage read(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file, e);
        }
        if (image == null) {
            throw new IllegalArgumentException(file + " is not an image Java can read (PNG, JPEG, BMP, GIF)");
        }
        return of(image);
    }

    /** The image files of a folder (PNG, JPEG, BMP, GIF by extension), sorted by name. */
    public static List<Path> filesIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a folder");
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> images = files.filter(f -> IMAGE.matcher(f.getFileName().toString()).matches())
                    .sorted().toList();
            if (images.isEmpty()) {
                throw new IllegalArgumentException("no images (png, jpg, bmp, gif) in " + dir);
            }
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    public static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[3 * w * h];
        Raster raster = image.getRaster();
        // 8-bit grey (with or without alpha) is taken from the raster: getRGB would send it through a linear-gray
        // colour space and change the values; PIL just copies the grey level into R, G and B.
        boolean grey = image.getColorModel() instanceof ComponentColorModel
                && image.getColorModel().getNumColorComponents() == 1 && raster.getSampleModel().getSampleSize(0) == 8;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                if (grey) {
                    byte g = (byte) raster.getSample(x, y, 0);
                    rgb[i] = g;
                    rgb[i + 1] = g;
                    rgb[i + 2] = g;
                } else {
                    int argb = image.getRGB(x, y);
                    rgb[i] = (byte) (argb >> 16);
                    rgb[i + 1] = (byte) (argb >> 8);
                    rgb[i + 2] = (byte) argb;
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
