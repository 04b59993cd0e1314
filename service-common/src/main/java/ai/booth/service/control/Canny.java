package ai.booth.service.control;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.awt.image.BufferedImage;

/**
 * The canny control map as A1111's ControlNet preprocessor makes it: {@code cv2.Canny(rgb, low, high)} on the image
 * (at the output size), the one-channel edge map then copied to R, G and B. Thresholds default to A1111's 100 / 200
 * ({@link ai.booth.contracts.rules.ControlRules}). Shared by the CLI and sampler-service, which declare OpenCV
 * themselves (it is optional here, so services that never preprocess do not carry its natives).
 */
public final class Canny {

    private static boolean loaded;

    private Canny() {
    }

    private static synchronized void loadNatives() {
        if (!loaded) {
            nu.pattern.OpenCV.loadLocally();
            Core.setNumThreads(1);
            loaded = true;
        }
    }

    public static BufferedImage detect(BufferedImage image, int width, int height, double low, double high) {
        loadNatives();
        Mat rgb = toMat(image);
        Mat sized = new Mat();
        Mat edges = new Mat();
        try {
            if (rgb.cols() != width || rgb.rows() != height) {
                Imgproc.resize(rgb, sized, new Size(width, height), 0, 0,
                        rgb.cols() > width ? Imgproc.INTER_AREA : Imgproc.INTER_CUBIC);
            } else {
                rgb.copyTo(sized);
            }
            Imgproc.Canny(sized, edges, low, high);
            byte[] e = new byte[width * height];
            edges.get(0, 0, e);
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < e.length; i++) {
                int v = e[i] & 0xFF;
                out.setRGB(i % width, i / width, (v << 16) | (v << 8) | v);
            }
            return out;
        } finally {
            rgb.release();
            sized.release();
            edges.release();
        }
    }

    /** An 8-bit 3-channel Mat in RGB order (the order A1111 hands OpenCV; Canny treats channels alike). */
    private static Mat toMat(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] data = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                int i = (y * w + x) * 3;
                data[i] = (byte) (rgb >> 16);
                data[i + 1] = (byte) (rgb >> 8);
                data[i + 2] = (byte) rgb;
            }
        }
        Mat mat = new Mat(h, w, CvType.CV_8UC3);
        mat.put(0, 0, data);
        return mat;
    }
}
