package ai.booth.dataset.processing;

import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExifOrientationTest {

    private static final Scalar GREY = new Scalar(128, 128, 128);
    private static final Scalar RED = new Scalar(0, 0, 255);
    private static final Scalar BLUE = new Scalar(255, 0, 0);

    /**
     * A 600×400 photo with red in its stored top-left and blue in its stored top-right corner, tagged by hand. The
     * expected corners follow the EXIF definition of each value ("0th row / 0th column" are the visual ...), e.g.
     * 6 = right / top: the stored first row runs down the right side.
     */
    @ParameterizedTest(name = "orientation {0}: red {1}, blue {2}")
    @CsvSource({"1, TL, TR", "2, TR, TL", "3, BR, BL", "4, BL, BR", "5, TL, BL", "6, TR, BR", "7, BR, TR",
            "8, BL, TL"})
    void turnsStoredPixelsUpright(int orientation, String red, String blue) {
        Mat stored = Photos.marked(600, 400, GREY, RED, 80);
        Imgproc.rectangle(stored, new Point(520, 0), new Point(599, 79), BLUE, -1);
        byte[] jpeg = Photos.withOrientation(Photos.jpeg(stored), orientation);

        ImageHeader header = ImageProbe.probe(jpeg);
        Mat decoded = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR
                | Imgcodecs.IMREAD_IGNORE_ORIENTATION);
        Mat upright = ExifOrientation.apply(decoded, header.orientation());

        assertEquals(header.orientedWidth(), upright.cols());
        assertEquals(header.orientedHeight(), upright.rows());
        assertEquals(orientation >= 5 ? 400 : 600, upright.cols());
        assertEquals(red, cornerOf(upright, 2), "red marker");
        assertEquals(blue, cornerOf(upright, 0), "blue marker");
    }

    @Test
    void theProcessedTrainingImageIsUpright() {
        // stored landscape 800×600, tagged 6 (rotate 90° clockwise): upright it is a 600×800 portrait, red top-right
        Mat stored = Photos.marked(800, 600, GREY, RED, 150);
        byte[] jpeg = Photos.withOrientation(Photos.jpeg(stored), 6);
        ImageProcessor processor = new ImageProcessor(DatasetLimits.DEFAULT);
        try (ProcessedImage image = processor.process(jpeg, new DatasetSettings("pad", 400, false, true))) {
            assertEquals(6, image.header().orientation());
            // pad: the 600×800 portrait sits centred in an 800×800 square, shown at 400×400 (half size)
            assertEquals(new ai.booth.contracts.CropBox(-100, 0, 800, 800), image.crop());
            Mat out = image.image();
            assertTrue(Photos.meanColour(out, 290, 5, 50, 50)[2] > 200, "red at the upright top right");
            assertTrue(Photos.meanColour(out, 55, 5, 50, 50)[2] < 160, "no red at the upright top left");
            assertTrue(Photos.meanColour(out, 290, 340, 50, 50)[2] < 160, "no red at the upright bottom right");
        }
    }

    /** Which corner (TL, TR, BL, BR) of the image shows the given colour channel strongest. */
    private static String cornerOf(Mat image, int channel) {
        int w = image.cols();
        int h = image.rows();
        String[] names = {"TL", "TR", "BL", "BR"};
        double[] values = {
                Photos.meanColour(image, 10, 10, 40, 40)[channel],
                Photos.meanColour(image, w - 50, 10, 40, 40)[channel],
                Photos.meanColour(image, 10, h - 50, 40, 40)[channel],
                Photos.meanColour(image, w - 50, h - 50, 40, 40)[channel]};
        int best = 0;
        for (int i = 1; i < 4; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return names[best];
    }
}
