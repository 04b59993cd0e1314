package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.imgproc.Imgproc;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CropperTest {

    @Test
    void centreTakesTheLargestCentredBoxOfTheOutputsAspect() {
        assertEquals(new CropBox(500, 0, 3000, 3000), Cropper.box("centre", 4000, 3000, null, 512, 512));
        assertEquals(new CropBox(0, 500, 3000, 3000), Cropper.box("centre", 3000, 4000, null, 512, 512));
        assertEquals(new CropBox(0, 375, 4000, 2250), Cropper.box("centre", 4000, 3000, null, 1024, 576));
        assertEquals(new CropBox(500, 0, 3000, 3000), Cropper.box("face", 4000, 3000, null, 512, 512),
                "face mode without a face crops the centre");
    }

    @Test
    void padTakesTheSmallestBoxHoldingTheWholePhoto() {
        assertEquals(new CropBox(0, -500, 4000, 4000), Cropper.box("pad", 4000, 3000, null, 512, 512));
        assertEquals(new CropBox(-100, 0, 800, 800), Cropper.box("pad", 600, 800, null, 512, 512));
    }

    @Test
    void faceBoxesAreHeadAndShouldersKeptInsideThePhoto() {
        Face face = new Face(new CropBox(1800, 1000, 300, 300), FaceDetector.HUMAN);
        CropBox box = Cropper.box("face", 4000, 3000, face, 512, 512);
        assertEquals(900, box.height()); // 3 face heights
        assertEquals(box.height(), box.width());
        assertEquals(1950 - 450, box.x()); // centred on the face
        assertEquals(1150 - 360, box.y()); // face centre 40 % down
        Face atTheEdge = new Face(new CropBox(3900, 10, 100, 100), FaceDetector.HUMAN);
        assertEquals(new CropBox(3488, 0, 512, 512), Cropper.box("face", 4000, 3000, atTheEdge, 512, 512),
                "clamped into the photo, and never smaller than the output");
    }

    @Test
    void cutPadsWithTheMeanColourAndResizes() {
        Mat photo = Photos.photo("coffee.jpg", 600, 400);
        CropBox box = Cropper.box("pad", 600, 400, null, 300, 300);
        Mat out = Cropper.cut(photo, 600, 400, box, 300, 300);
        assertEquals(300, out.cols());
        assertEquals(300, out.rows());
        double[] mean = Photos.meanColour(photo, 0, 0, 600, 400);
        double[] band = Photos.meanColour(out, 0, 0, 300, 40); // above the photo: padding
        for (int c = 0; c < 3; c++) {
            assertEquals(mean[c], band[c], 1.5, "padding channel " + c);
        }
    }

    @Test
    void aReducedDecodeIsCutWithoutPaddingEvenWhenItsSidesRoundedUp() {
        // 1001×752 decoded at 1/4: libjpeg rounds up to 251×188, so x scales by 0.2507 and y by 0.2500; one scale
        // for both axes would reach past the last row and pad it. Here the last rows are white, the rest black.
        Mat quarter = new Mat(188, 251, CvType.CV_8UC3, new Scalar(0, 0, 0));
        Imgproc.rectangle(quarter, new Point(0, 184), new Point(250, 187), new Scalar(255, 255, 255), -1);
        CropBox box = Cropper.box("centre", 1001, 752, null, 128, 128);
        Mat out = Cropper.cut(quarter, 1001, 752, box, 128, 128);
        double[] lastRow = Photos.meanColour(out, 0, 127, 128, 1);
        assertTrue(lastRow[0] > 240, "the last output row shows the photo's white bottom, not padding: "
                + lastRow[0]);
    }

    @Test
    void bucketsFollowThePhotosAspectWithSidesOf64() {
        assertArrayEquals(new int[] {512, 512}, AspectBuckets.choose(1000, 1000, 512));
        assertArrayEquals(new int[] {576, 448}, AspectBuckets.choose(4000, 3000, 512));
        assertArrayEquals(new int[] {448, 576}, AspectBuckets.choose(3000, 4000, 512));
        assertArrayEquals(new int[] {640, 384}, AspectBuckets.choose(4000, 2000, 512));
        List<int[]> all = AspectBuckets.buckets(768);
        for (int[] size : all) {
            assertTrue(size[0] % 64 == 0 && size[1] % 64 == 0, size[0] + "x" + size[1]);
            assertTrue((long) size[0] * size[1] <= 768L * 768, size[0] + "x" + size[1]);
            assertTrue(Math.max(size[0], size[1]) <= 2 * Math.min(size[0], size[1]), size[0] + "x" + size[1]);
        }
        assertTrue(all.size() > 5, "several buckets at 768: " + all.size());
        assertTrue(AspectBuckets.buckets(520).stream().allMatch(s -> s[0] % 8 == 0 && s[1] % 8 == 0));
    }
}
