package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetSettings;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaceDetectorTest {

    /** Eyes to mouth of the astronaut in the 512×512 sample, measured by eye on the photo. */
    private static final CropBox ASTRONAUT_FACE = new CropBox(190, 90, 70, 70);

    private final FaceDetector detector = new FaceDetector();

    @Test
    void findsTheAstronautsFace() {
        Face face = detector.detect(Photos.photo("astronaut.jpg", 512, 512)).orElseThrow();
        assertEquals(FaceDetector.HUMAN, face.kind());
        assertTrue(contains(grown(face.box(), 0.15), ASTRONAUT_FACE), "detected " + face.box());
        assertTrue(face.box().width() < 140, "a face, not the whole upper body: " + face.box());
    }

    /** Both cascades run here (the cat one when no person is found): neither may invent a face. */
    @Test
    void findsNoFaceInPhotosWithoutOne() {
        assertEquals(Optional.empty(), detector.detect(Photos.photo("coffee.jpg", 600, 400)));
        assertEquals(Optional.empty(), detector.detect(Photos.photo("rocket.jpg", 640, 427)));
    }

    @Test
    void faceCropsHoldHeadAndShouldersOfTheAstronaut() {
        // the 512×512 sample enlarged 3×, like a camera photo: a 512 crop fits around the head without upscaling
        byte[] photo = Photos.jpeg(Photos.photo("astronaut.jpg", 1536, 1536));
        ImageProcessor processor = new ImageProcessor(DatasetLimits.DEFAULT);
        try (ProcessedImage image = processor.process(photo, DatasetSettings.DEFAULT)) {
            CropBox crop = image.crop();
            CropBox face = new CropBox(ASTRONAUT_FACE.x() * 3, ASTRONAUT_FACE.y() * 3, ASTRONAUT_FACE.width() * 3,
                    ASTRONAUT_FACE.height() * 3);
            assertTrue(image.face() != null && contains(crop, face), "crop " + crop + " holds the face " + face);
            assertEquals(crop.width(), crop.height());
            assertTrue(crop.width() >= 512 && crop.width() < 1536, "a head-and-shoulders crop, not the whole photo: "
                    + crop);
            assertEquals(512, image.image().cols());
            assertEquals(512, image.image().rows());
        }
    }

    @Test
    void photosWithoutAFaceFallBackToTheCentreWithANote() {
        byte[] photo = Photos.jpeg(Photos.photo("coffee.jpg", 1200, 800));
        try (ProcessedImage image = new ImageProcessor(DatasetLimits.DEFAULT).process(photo, DatasetSettings.DEFAULT)) {
            assertNull(image.face());
            assertEquals(new CropBox(200, 0, 800, 800), image.crop());
            assertTrue(image.notes().contains("no face found: centre crop"), image.notes().toString());
        }
    }

    static boolean contains(CropBox outer, CropBox inner) {
        return inner.x() >= outer.x() && inner.y() >= outer.y()
                && inner.x() + inner.width() <= outer.x() + outer.width()
                && inner.y() + inner.height() <= outer.y() + outer.height();
    }

    private static CropBox grown(CropBox box, double fraction) {
        int dx = (int) (box.width() * fraction);
        int dy = (int) (box.height() * fraction);
        return new CropBox(box.x() - dx, box.y() - dy, box.width() + 2 * dx, box.height() + 2 * dy);
    }

    private static CropBox centre(CropBox box) {
        return new CropBox(box.x() + box.width() / 2, box.y() + box.height() / 2, 1, 1);
    }
}
