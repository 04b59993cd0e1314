package ai.booth.dataset.processing;

import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityMetricsTest {

    private static final List<String> SAMPLES = List.of("astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg");

    @Test
    void blurLowersTheScoreBelowTheThreshold() {
        Mat sharp = Photos.photo("rocket.jpg", 640, 427);
        Mat blurred = new Mat();
        Imgproc.GaussianBlur(sharp, blurred, new Size(0, 0), 4);
        double before = QualityMetrics.blurScore(sharp);
        double after = QualityMetrics.blurScore(blurred);
        assertTrue(before > QualityMetrics.BLURRY_BELOW, "sharp photo scores " + before);
        assertTrue(after < QualityMetrics.BLURRY_BELOW && after < before / 10, "blurred photo scores " + after);
    }

    @Test
    void copiesStayCloseAndDifferentPhotosFarApart() {
        for (String name : SAMPLES) {
            Mat photo = Photos.photo(name, 800, 600);
            long hash = QualityMetrics.perceptualHash(photo);
            Mat smaller = new Mat();
            Imgproc.resize(photo, smaller, new Size(400, 300), 0, 0, Imgproc.INTER_AREA);
            Mat recompressed = Imgcodecs.imdecode(new MatOfByte(Photos.encode(smaller, ".jpg",
                    Imgcodecs.IMWRITE_JPEG_QUALITY, 60)), Imgcodecs.IMREAD_COLOR);
            int copy = QualityMetrics.distance(hash, QualityMetrics.perceptualHash(recompressed));
            assertTrue(copy <= NearDuplicates.MAX_DISTANCE, name + ": resized, recompressed copy differs in " + copy);
            for (String other : SAMPLES) {
                if (!other.equals(name)) {
                    int distance = QualityMetrics.distance(hash,
                            QualityMetrics.perceptualHash(Photos.photo(other, 800, 600)));
                    assertTrue(distance > 2 * NearDuplicates.MAX_DISTANCE, name + " vs " + other + ": " + distance);
                }
            }
        }
    }

    @Test
    void groupsAreTransitiveAndNumberedInOrder() {
        long a = 0L;
        long nearA = 0b1111L; // 4 bits from a
        long nearNearA = 0xFFL; // 4 more bits from nearA, 8 from a
        long far = -1L;
        long nearFar = -1L ^ 0b11L;
        assertArrayEquals(new int[] {1, 2, 1, 0, 1, 2},
                NearDuplicates.groups(List.of(a, far, nearA, 0x5555_5555_5555_5555L, nearNearA, nearFar)));
        assertArrayEquals(new int[] {0, 0}, NearDuplicates.groups(List.of(0L, 0xFFFF_FFFFL)));
    }
}
