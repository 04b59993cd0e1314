package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;
import ai.booth.service.ProcessTemp;
import org.opencv.core.Mat;
import org.opencv.core.MatOfRect;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.CascadeClassifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Finds the subject's face with OpenCV's Haar cascades (from Debian's opencv-data, shipped as resources): the
 * frontal human face detector first, the frontal cat face detector when no person is found. Of several faces the
 * largest nearest the centre wins. Detection runs on a grey copy at most {@value #DETECTION_SIDE} pixels long.
 */
public final class FaceDetector {

    /** The {@link ProcessTemp} name of the cascade files OpenCV reads. */
    public static final String CASCADE = "cascade";

    public static final String HUMAN = "human";
    public static final String CAT = "cat";
    /** Long side of the image detection runs on: subjects fill the frame, so faces stay above 30 px. */
    static final int DETECTION_SIDE = 400;
    /** Smallest face searched for, as a fraction of the image's short side. */
    private static final double MIN_FACE = 0.1;

    private static final Path HUMAN_CASCADE = resourceFile("haarcascade_frontalface_alt2.xml");
    private static final Path CAT_CASCADE = resourceFile("haarcascade_frontalcatface.xml");

    // A classifier keeps per-call scratch buffers: one per thread keeps parallel detection safe.
    private static final ThreadLocal<CascadeClassifier> HUMANS = ThreadLocal.withInitial(() -> load(HUMAN_CASCADE));
    private static final ThreadLocal<CascadeClassifier> CATS = ThreadLocal.withInitial(() -> load(CAT_CASCADE));

    /** The most prominent face in a BGR image, in that image's pixels. */
    public Optional<Face> detect(Mat bgr) {
        try (NativeScope scope = new NativeScope()) {
            double scale = Math.min(1.0, (double) DETECTION_SIDE / Math.max(bgr.cols(), bgr.rows()));
            Mat grey = scope.mat();
            Imgproc.cvtColor(bgr, grey, Imgproc.COLOR_BGR2GRAY);
            if (scale < 1.0) {
                Imgproc.resize(grey, grey, new Size(), scale, scale, Imgproc.INTER_AREA);
            }
            Imgproc.equalizeHist(grey, grey);
            int minSide = (int) Math.max(24, MIN_FACE * Math.min(grey.cols(), grey.rows()));
            // The cat cascade is weaker: it fires only when fewer neighbouring windows must agree.
            return find(HUMANS.get(), grey, minSide, 1.1, 6, HUMAN, scope)
                    .or(() -> find(CATS.get(), grey, minSide, 1.1, 3, CAT, scope))
                    .map(face -> face.scaled(1 / scale));
        }
    }

    private static Optional<Face> find(CascadeClassifier cascade, Mat grey, int minSide, double scaleStep,
                                       int minNeighbours, String kind, NativeScope scope) {
        MatOfRect found = scope.track(new MatOfRect());
        cascade.detectMultiScale(grey, found, scaleStep, minNeighbours, 0, new Size(minSide, minSide), new Size());
        Rect best = null;
        double bestScore = 0;
        for (Rect rect : found.toArray()) {
            double score = prominence(rect, grey.cols(), grey.rows());
            if (score > bestScore) {
                best = rect;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best)
                .map(rect -> new Face(new CropBox(rect.x, rect.y, rect.width, rect.height), kind));
    }

    /** Area, discounted by up to half for a face at the image's edge rather than its centre. */
    static double prominence(Rect face, int width, int height) {
        double dx = (face.x + face.width / 2.0) / width - 0.5;
        double dy = (face.y + face.height / 2.0) / height - 0.5;
        double offCentre = Math.min(1.0, Math.hypot(dx, dy) / Math.hypot(0.5, 0.5));
        return (double) face.width * face.height * (1.0 - 0.5 * offCentre);
    }

    private static CascadeClassifier load(Path file) {
        OpenCv.load();
        CascadeClassifier cascade = new CascadeClassifier(file.toString());
        if (cascade.empty()) {
            throw new IllegalStateException("OpenCV could not load the face cascade " + file);
        }
        return cascade;
    }

    /** OpenCV reads cascades from files only: copy the resource out once per JVM. */
    private static Path resourceFile(String name) {
        try (InputStream in = FaceDetector.class.getResourceAsStream("/cascades/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource /cascades/" + name + " is missing from the classpath");
            }
            Path file = ProcessTemp.file(CASCADE, "-" + name); // swept at the next start should this JVM be killed
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy face cascade " + name + " to a temporary file", e);
        }
    }
}
