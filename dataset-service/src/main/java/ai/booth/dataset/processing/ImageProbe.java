package ai.booth.dataset.processing;

import java.nio.charset.StandardCharsets;

import static ai.booth.dataset.processing.Rejection.CORRUPT;
import static ai.booth.dataset.processing.Rejection.NOT_AN_IMAGE;

/**
 * Recognises JPEG, PNG, WebP and BMP by their leading bytes and reads size and EXIF orientation from the header, so
 * pixel limits are enforced before anything is decoded. It also walks the file's structure to its end marker: image
 * decoders fill a truncated file with grey and report success, so truncation is caught here.
 */
public final class ImageProbe {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] EXIF_HEADER = {'E', 'x', 'i', 'f', 0, 0};

    /** The header of an image file, or {@link Rejection.Rejected} (NOT_AN_IMAGE or CORRUPT) saying why not. */
    public static ImageHeader probe(byte[] content) {
        if (startsWith(content, 0, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
            return jpeg(content);
        }
        if (startsWith(content, 0, PNG_SIGNATURE)) {
            return png(content);
        }
        if (startsWith(content, 0, ascii("RIFF")) && startsWith(content, 8, ascii("WEBP"))) {
            return webp(content);
        }
        if (startsWith(content, 0, ascii("BM")) && content.length >= 26) {
            return bmp(content);
        }
        throw NOT_AN_IMAGE.with("not a JPEG, PNG, WebP or BMP image (" + content.length + " bytes, starting "
                + hex(content, 8) + ")");
    }

    private static ImageHeader jpeg(byte[] b) {
        int width = 0;
        int height = 0;
        int orientation = 1;
        int pos = 2;
        while (true) {
            if (pos + 2 > b.length) {
                throw truncated("JPEG", "before its end-of-image marker");
            }
            if ((b[pos] & 0xFF) != 0xFF) {
                throw CORRUPT.with("JPEG marker expected at byte " + pos + ", found " + hex(b, pos, 1));
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte before a marker
                pos++;
                continue;
            }
            if (marker == 0xD9) {
                break;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) { // standalone markers carry no length
                pos += 2;
                continue;
            }
            if (pos + 4 > b.length) {
                throw truncated("JPEG", "inside a segment header");
            }
            int length = u16be(b, pos + 2);
            int body = pos + 4;
            int end = pos + 2 + length;
            if (length < 2) {
                throw CORRUPT.with("JPEG segment at byte " + pos + " has a length of " + length);
            }
            if (end > b.length) {
                throw truncated("JPEG", "inside segment 0xFF" + hex(b, pos + 1, 1).trim() + " of " + length + " bytes");
            }
            if (isStartOfFrame(marker)) {
                if (length < 8) {
                    throw CORRUPT.with("JPEG frame header too short");
                }
                height = u16be(b, body + 1);
                width = u16be(b, body + 3);
            } else if (marker == 0xE1 && orientation == 1 && startsWith(b, body, EXIF_HEADER)) {
                orientation = ExifOrientation.fromTiff(b, body + EXIF_HEADER.length, end);
            } else if (marker == 0xDA) {
                if (width == 0 || height == 0) {
                    throw CORRUPT.with("JPEG scan starts before a frame header gives the size");
                }
                pos = endOfEntropyData(b, end);
                continue;
            }
            pos = end;
        }
        if (width == 0 || height == 0) {
            throw CORRUPT.with("JPEG has no frame header with a size");
        }
        return new ImageHeader(ImageFormat.JPEG, width, height, orientation);
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** Skips entropy-coded data: a 0xFF there is followed by a stuffed 0x00 or a restart marker, anything else ends it. */
    private static int endOfEntropyData(byte[] b, int pos) {
        for (int i = pos; i + 1 < b.length; i++) {
            if (b[i] == (byte) 0xFF) {
                int next = b[i + 1] & 0xFF;
                if (next != 0x00 && next != 0xFF && (next < 0xD0 || next > 0xD7)) {
                    return i;
                }
            }
        }
        throw truncated("JPEG", "inside the compressed image data, before its end-of-image marker");
    }

    private static ImageHeader png(byte[] b) {
        if (b.length < 33 || !startsWith(b, 12, ascii("IHDR"))) {
            throw CORRUPT.with("PNG does not start with an IHDR chunk");
        }
        int width = u32be(b, 16);
        int height = u32be(b, 20);
        if (width <= 0 || height <= 0) {
            throw CORRUPT.with("PNG IHDR gives a size of " + Integer.toUnsignedString(width) + "x"
                    + Integer.toUnsignedString(height));
        }
        int orientation = 1;
        boolean data = false;
        int pos = 8;
        while (true) {
            if (pos + 12 > b.length) {
                throw truncated("PNG", "before its IEND chunk");
            }
            long length = Integer.toUnsignedLong(u32be(b, pos));
            long end = pos + 12 + length;
            if (end > b.length) {
                throw truncated("PNG", "inside a chunk of " + length + " bytes");
            }
            if (startsWith(b, pos + 4, ascii("IDAT"))) {
                data = true;
            } else if (startsWith(b, pos + 4, ascii("eXIf"))) {
                orientation = ExifOrientation.fromTiff(b, pos + 8, (int) end - 4);
            } else if (startsWith(b, pos + 4, ascii("IEND"))) {
                break;
            }
            pos = (int) end;
        }
        if (!data) {
            throw CORRUPT.with("PNG has no image data (IDAT chunk)");
        }
        return new ImageHeader(ImageFormat.PNG, width, height, orientation);
    }

    private static ImageHeader webp(byte[] b) {
        long riffEnd = 8 + Integer.toUnsignedLong(u32le(b, 4));
        if (riffEnd > b.length) {
            throw truncated("WebP", "at " + b.length + " of the " + riffEnd + " bytes its RIFF header declares");
        }
        int width = 0;
        int height = 0;
        int orientation = 1;
        int pos = 12;
        while (pos + 8 <= riffEnd) {
            long size = Integer.toUnsignedLong(u32le(b, pos + 4));
            int body = pos + 8;
            if (body + size > riffEnd) {
                throw truncated("WebP", "inside a chunk of " + size + " bytes");
            }
            String type = new String(b, pos, 4, StandardCharsets.US_ASCII);
            if (type.equals("VP8X") && size >= 10) {
                width = 1 + u24le(b, body + 4);
                height = 1 + u24le(b, body + 7);
            } else if (type.equals("VP8 ") && width == 0 && size >= 10) {
                if ((b[body + 3] & 0xFF) != 0x9D || (b[body + 4] & 0xFF) != 0x01 || (b[body + 5] & 0xFF) != 0x2A) {
                    throw CORRUPT.with("WebP VP8 frame has no start code");
                }
                width = u16le(b, body + 6) & 0x3FFF;
                height = u16le(b, body + 8) & 0x3FFF;
            } else if (type.equals("VP8L") && width == 0 && size >= 5) {
                if ((b[body] & 0xFF) != 0x2F) {
                    throw CORRUPT.with("WebP VP8L frame has no signature");
                }
                int bits = u32le(b, body + 1);
                width = 1 + (bits & 0x3FFF);
                height = 1 + ((bits >>> 14) & 0x3FFF);
            } else if (type.equals("EXIF")) {
                orientation = ExifOrientation.fromTiff(b, body, (int) (body + size));
            }
            pos = (int) (body + size + (size & 1)); // chunks are padded to even sizes
        }
        if (width == 0 || height == 0) {
            throw CORRUPT.with("WebP has no VP8, VP8L or VP8X chunk giving its size");
        }
        return new ImageHeader(ImageFormat.WEBP, width, height, orientation);
    }

    private static ImageHeader bmp(byte[] b) {
        long declared = Integer.toUnsignedLong(u32le(b, 2));
        long pixelOffset = Integer.toUnsignedLong(u32le(b, 10));
        int headerSize = u32le(b, 14);
        int width;
        int height;
        int bitsPerPixel;
        int compression = 0;
        if (headerSize == 12) {
            width = u16le(b, 18);
            height = u16le(b, 20);
            bitsPerPixel = u16le(b, 24);
        } else if (headerSize >= 40 && b.length >= 34) {
            width = u32le(b, 18);
            height = Math.abs(u32le(b, 22)); // negative height: rows stored top-down
            bitsPerPixel = u16le(b, 28);
            compression = u32le(b, 30);
        } else {
            throw CORRUPT.with("BMP has an unknown header of " + headerSize + " bytes");
        }
        if (width <= 0 || height <= 0 || bitsPerPixel == 0) {
            throw CORRUPT.with("BMP header gives a size of " + width + "x" + height + " at " + bitsPerPixel + " bits");
        }
        long needed = Math.max(declared, pixelOffset + 1);
        if (compression == 0 || compression == 3) { // uncompressed rows, padded to 4 bytes
            needed = Math.max(needed, pixelOffset + ((long) width * bitsPerPixel + 31) / 32 * 4 * height);
        }
        if (needed > b.length) {
            throw truncated("BMP", "at " + b.length + " of " + needed + " bytes");
        }
        return new ImageHeader(ImageFormat.BMP, width, height, 1);
    }

    private static Rejection.Rejected truncated(String format, String where) {
        return CORRUPT.with(format + " is truncated: the file ends " + where);
    }

    static boolean startsWith(byte[] b, int offset, byte[] prefix) {
        if (offset < 0 || offset + prefix.length > b.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static int u16be(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    static int u16le(byte[] b, int i) {
        return (b[i + 1] & 0xFF) << 8 | (b[i] & 0xFF);
    }

    private static int u24le(byte[] b, int i) {
        return (b[i + 2] & 0xFF) << 16 | u16le(b, i);
    }

    static int u32be(byte[] b, int i) {
        return u16be(b, i) << 16 | u16be(b, i + 2);
    }

    static int u32le(byte[] b, int i) {
        return u16le(b, i + 2) << 16 | u16le(b, i);
    }

    private static String hex(byte[] b, int count) {
        return hex(b, 0, Math.min(count, b.length));
    }

    private static String hex(byte[] b, int offset, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = offset; i < offset + count && i < b.length; i++) {
            text.append(String.format("%02X ", b[i] & 0xFF));
        }
        return text.toString().trim();
    }

    private ImageProbe() {
    }
}
