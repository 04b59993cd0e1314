package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.io.AtomicFiles;

import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PNG files with text chunks, as AUTOMATIC1111 (through PIL) writes its {@code parameters}: a {@code tEXt} chunk
 * when the text is Latin-1, else an uncompressed UTF-8 {@code iTXt} chunk. Both are read back.
 */
public final class PngFiles {

    /** The chunk keyword A1111 and civitai read generation parameters from. */
    public static final String PARAMETERS = "parameters";
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {
    }

    /** Writes {@code image} to {@code file} (atomically, via a temporary file) with {@code text} chunks. */
    public static void write(BufferedImage image, Map<String, String> text, Path file) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image),
                    writer.getDefaultWriteParam());
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            IIOMetadataNode tEXt = new IIOMetadataNode("tEXt");
            IIOMetadataNode iTXt = new IIOMetadataNode("iTXt");
            text.forEach((key, value) -> {
                if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(value)) {
                    IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                    entry.setAttribute("keyword", key);
                    entry.setAttribute("value", value);
                    tEXt.appendChild(entry);
                } else {
                    IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                    entry.setAttribute("keyword", key);
                    entry.setAttribute("compressionFlag", "FALSE");
                    entry.setAttribute("compressionMethod", "0");
                    entry.setAttribute("languageTag", "");
                    entry.setAttribute("translatedKeyword", "");
                    entry.setAttribute("text", value);
                    iTXt.appendChild(entry);
                }
            });
            if (tEXt.hasChildNodes()) {
                root.appendChild(tEXt);
            }
            if (iTXt.hasChildNodes()) {
                root.appendChild(iTXt);
            }
            metadata.mergeTree(FORMAT, root);
            AtomicFiles.write(file, tmp -> {
                try (ImageOutputStream out = ImageIO.createImageOutputStream(tmp.toFile())) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(image, null, metadata), writer.getDefaultWriteParam());
                }
            });
        } catch (IIOInvalidTreeException e) {
            throw new IllegalStateException("PNG text metadata rejected: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PNG " + file, e);
        } finally {
            writer.dispose();
        }
    }

    /** The image of a PNG (or any format ImageIO reads). */
    public static BufferedImage readImage(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new IllegalArgumentException(file + " is not an image ImageIO can read");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file, e);
        }
    }

    /** Every tEXt and iTXt chunk of a PNG, keyword to text, in file order. */
    public static Map<String, String> readText(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IllegalArgumentException("cannot open " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException(file + " is not a PNG");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                if (!reader.getFormatName().equalsIgnoreCase("png")) {
                    throw new IllegalArgumentException(file + " is a " + reader.getFormatName() + ", not a PNG");
                }
                Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
                Map<String, String> text = new LinkedHashMap<>();
                for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                    String valueAttribute = switch (chunk.getNodeName()) {
                        case "tEXt" -> "value";
                        case "iTXt" -> "text";
                        default -> null;
                    };
                    for (Node e = valueAttribute == null ? null : chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                        NamedNodeMap a = e.getAttributes();
                        text.put(a.getNamedItem("keyword").getNodeValue(), a.getNamedItem(valueAttribute).getNodeValue());
                    }
                }
                return text;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The {@code parameters} text of a PNG, or a clear error when it has none. */
    public static String readParameters(Path file) {
        String text = readText(file).get(PARAMETERS);
        if (text == null) {
            throw new IllegalArgumentException(file + " has no '" + PARAMETERS + "' text chunk (not made by Booth or "
                    + "AUTOMATIC1111, or its metadata was stripped)");
        }
        return text;
    }
}
