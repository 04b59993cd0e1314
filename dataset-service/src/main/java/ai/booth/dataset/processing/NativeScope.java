package ai.booth.dataset.processing;

import org.opencv.core.Mat;

import java.util.ArrayList;
import java.util.List;

/**
 * Releases the native memory of every matrix it tracks when closed. A Mat's pixels live outside the Java heap and
 * are otherwise freed only by finalisation, long after a 12-megapixel decode should have been given back.
 */
final class NativeScope implements AutoCloseable {

    private final List<Mat> mats = new ArrayList<>();

    <M extends Mat> M track(M mat) {
        mats.add(mat);
        return mat;
    }

    Mat mat() {
        return track(new Mat());
    }

    @Override
    public void close() {
        mats.forEach(Mat::release);
        mats.clear();
    }
}
