package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetSettings;
import org.opencv.core.CvException;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.util.ArrayList;
import java.util.List;

import static ai.booth.dataset.processing.Rejection.CORRUPT;
import static ai.booth.dataset.processing.Rejection.DECOMPRESSION_BOMB;
import static ai.booth.dataset.processing.Rejection.FILE_TOO_LARGE;
import static ai.booth.dataset.processing.Rejection.TOO_SMALL;

/**
 * Turns one photo into a training image: header checks (size limits before any decoding), decode, EXIF orientation,
 * face detection, crop, resize, quality metrics. JPEGs are decoded at 1/2, 1/4 or 1/8 scale when the crop still
 * covers the output at that scale: libjpeg then skips most of the inverse DCT, which is what makes 12-megapixel
 * photos cheap. Thread-safe: one instance serves all workers.
 */
public final class ImageProcessor {

    private static final int[] JPEG_REDUCTIONS = {8, 4, 2};

    private final DatasetLimits limits;
    /** The first word of the note on a photo enlarged to the output size. */
    public static final String UPSCALED = "upscaled";

    private final FaceDetector faces = new FaceDetector();

    public ImageProcessor(DatasetLimits limits) {
        OpenCv.load();
        this.limits = limits;
    }

    /** The training image of a photo, or {@link Rejection.Rejected} saying why the photo cannot be one. */
    public ProcessedImage process(byte[] content, DatasetSettings settings) {
        if (content.length > limits.maxFileBytes()) {
            throw FILE_TOO_LARGE.with(content.length + " bytes, over the limit of " + limits.maxFileBytes());
        }
        ImageHeader header = ImageProbe.probe(content);
        if (header.pixels() > limits.maxPixels()) {
            throw DECOMPRESSION_BOMB.with(header.width() + "x" + header.height() + " = " + header.pixels()
                    + " pixels, over the limit of " + limits.maxPixels() + " (checked before decoding)");
        }
        int width = header.orientedWidth();
        int height = header.orientedHeight();
        int[] out = settings.aspectBuckets() ? AspectBuckets.choose(width, height, settings.resolution())
                : new int[] {settings.resolution(), settings.resolution()};
        CropBox box = Cropper.box(settings.cropMode(), width, height, null, out[0], out[1]);
        int floorWidth = (out[0] + 1) / 2;
        int floorHeight = (out[1] + 1) / 2;
        if (box.width() < floorWidth || box.height() < floorHeight) {
            throw TOO_SMALL.with(width + "x" + height + " is too small for " + settings.cropMode() + " crops at "
                    + out[0] + "x" + out[1] + " (the crop would be " + box.width() + "x" + box.height()
                    + "; at least " + floorWidth + "x" + floorHeight + ", half the output size, is needed)");
        }
        List<String> notes = new ArrayList<>();
        try (NativeScope scope = new NativeScope()) {
            int reduction = reduction(header, box, out);
            Mat upright = decodeUpright(content, header, reduction, scope);
            double scale = (double) upright.cols() / width;
            Face face = null;
            if (settings.cropMode().equals(DatasetSettings.FACE)) {
                face = faces.detect(upright).map(found -> found.scaled(1 / scale)).orElse(null);
                if (face == null) {
                    notes.add("no face found: centre crop");
                } else {
                    box = Cropper.box(settings.cropMode(), width, height, face, out[0], out[1]);
                }
            }
            long hash = QualityMetrics.perceptualHash(upright);
            int needed = reduction(header, box, out);
            if (needed < reduction) { // a tight face crop needs more pixels than the first decode kept
                upright = decodeUpright(content, header, needed, scope);
            }
            if (box.width() < out[0] || box.height() < out[1]) {
                notes.add(upscaleNote(box, out));
            }
            Mat image = Cropper.cut(upright, width, height, box, out[0], out[1]);
            return new ProcessedImage(header, face, box, image, QualityMetrics.blurScore(image), hash, notes);
        } catch (CvException e) {
            throw CORRUPT.with("cannot be decoded: " + e.getMessage());
        }
    }

    /** The largest JPEG scale-down that keeps the crop at least as large as the output. */
    /** Photos between half and the whole output size are enlarged (Lanczos): usable, with less detail. */
    static String upscaleNote(CropBox box, int[] out) {
        return String.format(java.util.Locale.ROOT, "%s: the %dx%d crop is upscaled %.2fx to %dx%d (below the output"
                        + " resolution, less detail)", UPSCALED, box.width(), box.height(),
                Math.max((double) out[0] / box.width(), (double) out[1] / box.height()), out[0], out[1]);
    }

    static int reduction(ImageHeader header, CropBox box, int[] out) {
        if (header.format() != ImageFormat.JPEG) {
            return 1;
        }
        for (int factor : JPEG_REDUCTIONS) {
            if (box.width() / factor >= out[0] && box.height() / factor >= out[1]) {
                return factor;
            }
        }
        return 1;
    }

    static Mat decodeUpright(byte[] content, ImageHeader header, int reduction, NativeScope scope) {
        int mode = switch (reduction) {
            case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
            case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
            default -> Imgcodecs.IMREAD_COLOR;
        };
        MatOfByte encoded = scope.track(new MatOfByte(content));
        Mat stored = scope.track(Imgcodecs.imdecode(encoded, mode | Imgcodecs.IMREAD_IGNORE_ORIENTATION));
        if (stored.empty()) {
            throw CORRUPT.with(header.format().label() + " data cannot be decoded");
        }
        return scope.track(ExifOrientation.apply(stored, header.orientation()));
    }
}
