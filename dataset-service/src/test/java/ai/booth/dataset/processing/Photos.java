package ai.booth.dataset.processing;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test photos: the real sample photos under {@code src/test/resources/photos} (scikit-image's public-domain / CC0
 * samples, see the README there) and files built from them: other formats, sizes, EXIF tags, archives, bombs.
 */
public final class Photos {

    static {
        OpenCv.load();
    }

    /** A committed sample photo's bytes. */
    public static byte[] bytes(String name) {
        try (InputStream in = Photos.class.getResourceAsStream("/photos/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test photo " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sample photo resized (Lanczos) to a camera-like size: the samples are smaller than training crops. */
    public static Mat photo(String name, int width, int height) {
        Mat decoded = Imgcodecs.imdecode(new MatOfByte(bytes(name)), Imgcodecs.IMREAD_COLOR);
        Mat resized = new Mat();
        Imgproc.resize(decoded, resized, new Size(width, height), 0, 0, Imgproc.INTER_LANCZOS4);
        decoded.release();
        return resized;
    }

    public static byte[] encode(Mat image, String extension, int... params) {
        MatOfByte out = new MatOfByte();
        if (!Imgcodecs.imencode(extension, image, out, new MatOfInt(params))) {
            throw new IllegalStateException("cannot encode " + extension);
        }
        return out.toArray();
    }

    public static byte[] jpeg(Mat image) {
        return encode(image, ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 92);
    }

    public static byte[] png(Mat image) {
        return encode(image, ".png");
    }

    /** A flat image of one colour with a {@code marker}-coloured square in the stored top-left corner. */
    public static Mat marked(int width, int height, Scalar background, Scalar marker, int markerSide) {
        Mat image = new Mat(height, width, CvType.CV_8UC3, background);
        Imgproc.rectangle(image, new Point(0, 0), new Point(markerSide - 1, markerSide - 1), marker, -1);
        return image;
    }

    /** The JPEG with an EXIF APP1 segment holding only the orientation tag, written by hand right after SOI. */
    public static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26); // big-endian, as "MM" says
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8); // header, IFD0 at 8
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + exif.length + tiff.capacity();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(exif);
        out.writeBytes(tiff.array());
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A well-formed PNG whose IHDR claims {@code width}×{@code height}: decoding it would need gigabytes. */
    public static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
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

    /** A zip archive of the entries, in map order, names taken literally (hostile ones included). */
    public static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Mean colour of a region of a BGR image, as {blue, green, red}. */
    public static double[] meanColour(Mat image, int x, int y, int width, int height) {
        Mat region = image.submat(y, y + height, x, x + width);
        Scalar mean = Core.mean(region);
        region.release();
        return new double[] {mean.val[0], mean.val[1], mean.val[2]};
    }

    private Photos() {
    }
}
