package ai.booth.world;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * A minimal PNG encoder (8-bit RGB, no filter) with stored, uncompressed deflate blocks. ImageIO compresses with the
 * JDK's zlib, which may be the system's, and deflate output is not fixed across zlib builds (zlib-ng and patched
 * forks emit other bytes): stored blocks make a file's bytes a function of its pixels alone, so a dataset hashes
 * the same on every machine. The price is size: a 64×64 image is 12 kB.
 */
public final class Png {

    private Png() {
    }

    public static byte[] encode(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        byte[] raw = new byte[h * (1 + 3 * w)];
        int k = 0;
        for (int y = 0; y < h; y++) {
            raw[k++] = 0; // filter: none
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                raw[k++] = (byte) (rgb >> 16);
                raw[k++] = (byte) (rgb >> 8);
                raw[k++] = (byte) rgb;
            }
        }
        ByteArrayOutputStream zlib = new ByteArrayOutputStream();
        zlib.write(0x78);
        zlib.write(0x01);
        for (int off = 0; off < raw.length; off += 65535) {
            int len = Math.min(65535, raw.length - off);
            zlib.write(off + len == raw.length ? 1 : 0); // BFINAL on the last block, BTYPE 00 = stored
            zlib.write(len);
            zlib.write(len >> 8);
            zlib.write(~len);
            zlib.write(~len >> 8);
            zlib.write(raw, off, len);
        }
        Adler32 adler = new Adler32();
        adler.update(raw);
        zlib.writeBytes(ByteBuffer.allocate(4).putInt((int) adler.getValue()).array());

        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", zlib.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
