package ai.booth.dataset;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;

/** Decodes an uploaded file to prove it is an image, and reports its size and format. */
final class ImageCheck {

    /**
     * What a decodable image is.
     *
     * @param width        pixels
     * @param height       pixels
     * @param contentType  MIME type of the format it decoded as
     */
    record Decoded(int width, int height, String contentType) {
    }

    /** The decoded image's facts, or an {@link IllegalArgumentException} saying why it is not an image. */
    static Decoded decode(byte[] content) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(content))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("not an image in a known format (" + content.length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                var image = reader.read(0); // decode fully: a truncated file fails here, not in training
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                return new Decoded(image.getWidth(), image.getHeight(), "image/" + (format.equals("jpg") ? "jpeg" : format));
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot decode image: " + e.getMessage(), e);
        }
    }

    private ImageCheck() {
    }
}
