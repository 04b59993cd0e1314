package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

import java.util.List;

/**
 * One photo turned into a training image; closing it frees the image's native memory.
 *
 * @param header     what the file's header said (format, stored size, EXIF orientation)
 * @param face       the face the crop follows, or null
 * @param crop       the region of the upright photo that was cut out
 * @param image      the training image (BGR, 8 bits per channel)
 * @param blurScore  {@link QualityMetrics#blurScore} of the training image
 * @param hash       {@link QualityMetrics#perceptualHash} of the whole upright photo
 * @param notes      what the caller should know, e.g. that no face was found
 */
public record ProcessedImage(ImageHeader header, Face face, CropBox crop, Mat image, double blurScore, long hash,
                             List<String> notes) implements AutoCloseable {

    /** The training image as PNG (compression level 3: a third of level 9's time for a few percent more bytes). */
    public byte[] png() {
        MatOfByte encoded = new MatOfByte();
        try {
            if (!Imgcodecs.imencode(".png", image, encoded, new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, 3))) {
                throw new IllegalStateException("OpenCV could not encode a " + image.size() + " PNG");
            }
            return encoded.toArray();
        } finally {
            encoded.release();
        }
    }

    @Override
    public void close() {
        image.release();
    }
}
