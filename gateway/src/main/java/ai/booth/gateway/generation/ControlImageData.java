package ai.booth.gateway.generation;

import ai.booth.contracts.rules.ControlRules;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;

/**
 * A control image sent inside the JSON body: base64 of a PNG or JPEG (optionally a {@code data:} URL, as a browser's
 * FileReader gives it). Only the header is read to check its size, so a small file claiming a huge image is refused
 * before anyone decodes it.
 *
 * @param bytes      the file
 * @param extension  png or jpg
 */
record ControlImageData(byte[] bytes, String extension) {

    /** Decodes {@code text}; an IllegalArgumentException says what is wrong with it. */
    static ControlImageData decode(String text) {
        String data = text.strip();
        if (data.startsWith("data:")) {
            int comma = data.indexOf(',');
            if (comma < 0 || !data.substring(0, comma).endsWith(";base64")) {
                throw new IllegalArgumentException("a data: URL must be base64 (data:image/png;base64,...)");
            }
            data = data.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64: " + e.getMessage());
        }
        String extension = isPng(bytes) ? "png" : isJpeg(bytes) ? "jpg" : null;
        if (extension == null) {
            throw new IllegalArgumentException("must be a PNG or JPEG image (base64)");
        }
        checkSize(bytes);
        return new ControlImageData(bytes, extension);
    }

    String contentType() {
        return extension.equals("png") ? "image/png" : "image/jpeg";
    }

    private static void checkSize(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("is not a readable PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                String problem = ControlRules.imageSideProblem(reader.getWidth(0), reader.getHeight(0));
                if (problem != null) {
                    throw new IllegalArgumentException(problem);
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("is not a readable PNG or JPEG image: " + e.getMessage());
        }
    }

    private static boolean isPng(byte[] b) {
        return b.length > 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF;
    }
}
