package ai.booth.dataset.processing;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfDouble;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.Arrays;

/** Numbers that judge a photo without looking at it: sharpness and a perceptual hash for near-duplicates. */
public final class QualityMetrics {

    /**
     * Below this variance of the Laplacian (grey levels², measured on the training image) a photo is flagged
     * blurry: the usual rule of thumb for 8-bit photos around 500 pixels.
     */
    public static final double BLURRY_BELOW = 100.0;

    /** Variance of the Laplacian of the grey image: edges make it large, blur makes it small. */
    public static double blurScore(Mat bgr) {
        try (NativeScope scope = new NativeScope()) {
            Mat grey = scope.mat();
            Imgproc.cvtColor(bgr, grey, Imgproc.COLOR_BGR2GRAY);
            Mat laplacian = scope.mat();
            Imgproc.Laplacian(grey, laplacian, CvType.CV_64F);
            MatOfDouble mean = scope.track(new MatOfDouble());
            MatOfDouble deviation = scope.track(new MatOfDouble());
            Core.meanStdDev(laplacian, mean, deviation);
            double sigma = deviation.toArray()[0];
            return sigma * sigma;
        }
    }

    /**
     * pHash: the signs of the 8×8 lowest frequencies (DC excluded from the median) of the DCT of a 32×32 grey
     * thumbnail. Resizing, recompression and small edits keep it within a few bits; different photos differ in
     * about half.
     */
    public static long perceptualHash(Mat bgr) {
        try (NativeScope scope = new NativeScope()) {
            Mat grey = scope.mat();
            Imgproc.cvtColor(bgr, grey, Imgproc.COLOR_BGR2GRAY);
            Imgproc.resize(grey, grey, new Size(32, 32), 0, 0, Imgproc.INTER_AREA);
            Mat real = scope.mat();
            grey.convertTo(real, CvType.CV_32F);
            Mat spectrum = scope.mat();
            Core.dct(real, spectrum);
            float[] low = new float[64];
            float[] row = new float[8];
            for (int r = 0; r < 8; r++) {
                spectrum.get(r, 0, row);
                System.arraycopy(row, 0, low, r * 8, 8);
            }
            float[] sorted = Arrays.copyOfRange(low, 1, 64);
            Arrays.sort(sorted);
            float median = sorted[sorted.length / 2];
            long hash = 0;
            for (int i = 0; i < 64; i++) {
                hash = hash << 1 | (low[i] > median ? 1 : 0);
            }
            return hash;
        }
    }

    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    public static String hex(long hash) {
        return String.format("%016x", hash);
    }

    private QualityMetrics() {
    }
}
