package ai.booth.dataset.processing;

import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageProbeTest {

    private final Mat photo = Photos.photo("coffee.jpg", 640, 427);

    @Test
    void recognisesEachFormatByContentWithItsSize() {
        assertEquals(new ImageHeader(ImageFormat.JPEG, 640, 427, 1), ImageProbe.probe(Photos.jpeg(photo)));
        assertEquals(new ImageHeader(ImageFormat.PNG, 640, 427, 1), ImageProbe.probe(Photos.png(photo)));
        assertEquals(new ImageHeader(ImageFormat.BMP, 640, 427, 1), ImageProbe.probe(Photos.encode(photo, ".bmp")));
        assertEquals(new ImageHeader(ImageFormat.WEBP, 640, 427, 1),
                ImageProbe.probe(Photos.encode(photo, ".webp", 64, 90))); // lossy VP8
        assertEquals(new ImageHeader(ImageFormat.WEBP, 640, 427, 1),
                ImageProbe.probe(Photos.encode(photo, ".webp", 64, 101))); // quality > 100: lossless VP8L
        assertEquals(new ImageHeader(ImageFormat.JPEG, 640, 427, 1), ImageProbe.probe(Photos.bytes("rocket.jpg")));
    }

    @Test
    void readsTheExifOrientationWrittenByHand() {
        byte[] jpeg = Photos.withOrientation(Photos.jpeg(photo), 6);
        ImageHeader header = ImageProbe.probe(jpeg);
        assertEquals(6, header.orientation());
        assertEquals(427, header.orientedWidth());
        assertEquals(640, header.orientedHeight());
    }

    @Test
    void textAndUnknownFormatsAreNotImages() {
        for (byte[] content : new byte[][] {"a photo of my dog".getBytes(StandardCharsets.UTF_8), new byte[0],
                "GIF89a\1\0\1\0".getBytes(StandardCharsets.US_ASCII)}) {
            var rejected = assertThrows(Rejection.Rejected.class, () -> ImageProbe.probe(content));
            assertEquals(Rejection.NOT_AN_IMAGE, rejected.reason());
            assertTrue(rejected.getMessage().contains(content.length + " bytes"), rejected.getMessage());
        }
    }

    @Test
    void truncatedFilesAreCorruptInEveryFormat() {
        assertCorrupt(Photos.bytes("truncated.jpg"), "JPEG is truncated");
        byte[] jpeg = Photos.jpeg(photo);
        assertCorrupt(Arrays.copyOf(jpeg, jpeg.length / 2), "inside the compressed image data");
        assertCorrupt(Arrays.copyOf(jpeg, jpeg.length - 2), "before its end-of-image marker");
        byte[] png = Photos.png(photo);
        assertCorrupt(Arrays.copyOf(png, png.length / 2), "PNG is truncated");
        assertCorrupt(Arrays.copyOf(png, png.length - 12), "before its IEND chunk");
        byte[] webp = Photos.encode(photo, ".webp", 64, 90);
        assertCorrupt(Arrays.copyOf(webp, webp.length - 100), "WebP is truncated");
        byte[] bmp = Photos.encode(photo, ".bmp");
        assertCorrupt(Arrays.copyOf(bmp, bmp.length - 640), "BMP is truncated");
    }

    @Test
    void readsTheClaimedSizeOfABombWithoutDecoding() {
        ImageHeader header = ImageProbe.probe(Photos.pngClaiming(50_000, 50_000));
        assertEquals(2_500_000_000L, header.pixels());
    }

    private static void assertCorrupt(byte[] content, String expected) {
        var rejected = assertThrows(Rejection.Rejected.class, () -> ImageProbe.probe(content));
        assertEquals(Rejection.CORRUPT, rejected.reason(), rejected.getMessage());
        assertTrue(rejected.getMessage().contains(expected), rejected.getMessage());
    }
}
