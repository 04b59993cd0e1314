package ai.booth.dataset.processing;

import org.opencv.core.Core;
import org.opencv.core.Mat;

/**
 * The EXIF orientation tag (0x0112): how a camera's stored pixels must be turned to be seen upright. Read from the
 * TIFF structure inside the file's EXIF block; decoders are told to ignore it and {@link #apply} turns the pixels,
 * because decoding at a reduced scale must not depend on a decoder's own handling.
 */
public final class ExifOrientation {

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int SHORT = 3;

    /** The orientation in a TIFF block {@code [start, end)} of {@code b}; 1 when absent or unreadable. */
    static int fromTiff(byte[] b, int start, int end) {
        if (end - start < 8 || end > b.length) {
            return 1;
        }
        boolean little;
        if (b[start] == 'I' && b[start + 1] == 'I') {
            little = true;
        } else if (b[start] == 'M' && b[start + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(b, start + 2, little) != 42) {
            return 1;
        }
        long ifd = start + Integer.toUnsignedLong(u32(b, start + 4, little));
        if (ifd + 2 > end) {
            return 1;
        }
        int entries = u16(b, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return 1;
            }
            if (u16(b, entry, little) == ORIENTATION_TAG && u16(b, entry + 2, little) == SHORT) {
                int value = u16(b, entry + 8, little);
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /** Orientations 5 to 8 turn the picture by a quarter: displayed width and height swap. */
    public static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /** The upright picture: {@code stored} itself for orientation 1, else a new matrix the caller releases. */
    public static Mat apply(Mat stored, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return stored;
        }
        Mat upright = new Mat();
        switch (orientation) {
            case 2 -> Core.flip(stored, upright, 1);
            case 3 -> Core.rotate(stored, upright, Core.ROTATE_180);
            case 4 -> Core.flip(stored, upright, 0);
            case 5 -> Core.transpose(stored, upright);
            case 6 -> Core.rotate(stored, upright, Core.ROTATE_90_CLOCKWISE);
            case 7 -> {
                Core.transpose(stored, upright);
                Core.flip(upright, upright, -1);
            }
            default -> Core.rotate(stored, upright, Core.ROTATE_90_COUNTERCLOCKWISE);
        }
        return upright;
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? ImageProbe.u16le(b, i) : ImageProbe.u16be(b, i);
    }

    private static int u32(byte[] b, int i, boolean little) {
        return little ? ImageProbe.u32le(b, i) : ImageProbe.u32be(b, i);
    }

    private ExifOrientation() {
    }
}
