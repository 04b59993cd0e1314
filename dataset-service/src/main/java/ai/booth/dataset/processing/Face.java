package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;

/**
 * A detected face.
 *
 * @param box   where it is, in pixels of the image it was found in
 * @param kind  {@value FaceDetector#HUMAN} or {@value FaceDetector#CAT}
 */
public record Face(CropBox box, String kind) {

    /** The same face in an image {@code factor} times larger. */
    Face scaled(double factor) {
        return new Face(new CropBox((int) Math.round(box.x() * factor), (int) Math.round(box.y() * factor),
                (int) Math.round(box.width() * factor), (int) Math.round(box.height() * factor)), kind);
    }
}
