package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;
import ai.booth.contracts.DatasetSettings;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Chooses the part of a photo that becomes a training image ({@link #box}) and cuts it out at the output size
 * ({@link #cut}). Boxes have the output's aspect ratio and are in pixels of the upright photo.
 */
public final class Cropper {

    /** A head-and-shoulders crop is this many face heights tall. */
    static final double FACE_HEIGHTS = 3.0;
    /** The face's centre sits this far down the crop, leaving room for the shoulders. */
    static final double FACE_CENTRE_Y = 0.4;

    /**
     * The crop box for a {@code width}×{@code height} photo and an {@code outWidth}×{@code outHeight} output.
     *
     * @param face  the detected face (crop mode face); null crops the centre
     */
    public static CropBox box(String cropMode, int width, int height, Face face, int outWidth, int outHeight) {
        double aspect = (double) outWidth / outHeight;
        boolean wider = (double) width / height > aspect;
        if (cropMode.equals(DatasetSettings.PAD)) { // smallest box holding the whole photo
            int w = wider ? width : (int) Math.round(height * aspect);
            int h = wider ? (int) Math.round(width / aspect) : height;
            return new CropBox((width - w) / 2, (height - h) / 2, w, h);
        }
        int maxW = wider ? (int) Math.round(height * aspect) : width; // largest box inside the photo
        int maxH = wider ? height : (int) Math.round(width / aspect);
        if (face == null || !cropMode.equals(DatasetSettings.FACE)) {
            return new CropBox((width - maxW) / 2, (height - maxH) / 2, maxW, maxH);
        }
        // Head and shoulders, but never below the output size when the photo allows it: upscaling adds no detail.
        double wanted = Math.max(outHeight, face.box().height() * FACE_HEIGHTS);
        int h = (int) Math.round(Math.min(maxH, wanted));
        int w = Math.min(maxW, (int) Math.round(h * aspect));
        double centreX = face.box().x() + face.box().width() / 2.0;
        double centreY = face.box().y() + face.box().height() / 2.0;
        int x = clamp((int) Math.round(centreX - w / 2.0), width - w);
        int y = clamp((int) Math.round(centreY - h * FACE_CENTRE_Y), height - h);
        return new CropBox(x, y, w, h);
    }

    /**
     * Cuts {@code box} (in pixels of the {@code width}×{@code height} upright photo, which {@code image} shows at
     * its own, possibly reduced, size) out of the image and resizes it to the output size: area averaging when
     * shrinking, Lanczos when enlarging. Parts of the box outside the photo (pad mode) are filled with the photo's
     * mean colour. Each axis has its own scale: a JPEG decoded at 1/k rounds each side up separately.
     */
    public static Mat cut(Mat image, int width, int height, CropBox box, int outWidth, int outHeight) {
        double sx = (double) image.cols() / width;
        double sy = (double) image.rows() / height;
        int x0 = (int) Math.floor(box.x() * sx);
        int y0 = (int) Math.floor(box.y() * sy);
        int x1 = Math.max(x0 + 1, (int) Math.round((box.x() + box.width()) * sx));
        int y1 = Math.max(y0 + 1, (int) Math.round((box.y() + box.height()) * sy));
        try (NativeScope scope = new NativeScope()) {
            int ix0 = Math.max(0, x0);
            int iy0 = Math.max(0, y0);
            int ix1 = Math.min(image.cols(), x1);
            int iy1 = Math.min(image.rows(), y1);
            Mat region = scope.track(image.submat(new Rect(ix0, iy0, ix1 - ix0, iy1 - iy0)));
            if (ix0 != x0 || iy0 != y0 || ix1 != x1 || iy1 != y1) {
                Scalar fill = Core.mean(image);
                Mat padded = scope.mat();
                Core.copyMakeBorder(region, padded, iy0 - y0, y1 - iy1, ix0 - x0, x1 - ix1, Core.BORDER_CONSTANT, fill);
                region = padded;
            }
            boolean shrinking = region.cols() >= outWidth && region.rows() >= outHeight;
            Mat out = new Mat();
            Imgproc.resize(region, out, new Size(outWidth, outHeight), 0, 0,
                    shrinking ? Imgproc.INTER_AREA : Imgproc.INTER_LANCZOS4);
            return out;
        }
    }

    private static int clamp(int value, int max) {
        return Math.max(0, Math.min(value, max));
    }

    private Cropper() {
    }
}
