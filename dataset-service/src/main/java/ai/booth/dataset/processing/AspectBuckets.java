package ai.booth.dataset.processing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Aspect-ratio buckets as in kohya's sd-scripts: output sizes whose sides are multiples of {@value #STEP} (8 for
 * resolutions that are not multiples of 64), whose area stays within resolution², from 1:2 to 2:1. Each photo
 * takes the bucket closest to its own aspect ratio, so landscapes and portraits lose less to cropping.
 */
public final class AspectBuckets {

    static final int STEP = 64;

    /** Output width and height for a photo of {@code width}×{@code height}. */
    public static int[] choose(int width, int height, int resolution) {
        double aspect = Math.log((double) width / height);
        return buckets(resolution).stream()
                .min(Comparator.comparingDouble(size -> Math.abs(Math.log((double) size[0] / size[1]) - aspect)))
                .orElseThrow();
    }

    /** Every bucket for a resolution, the square one first. */
    static List<int[]> buckets(int resolution) {
        int step = resolution % STEP == 0 ? STEP : 8;
        long area = (long) resolution * resolution;
        List<int[]> sizes = new ArrayList<>();
        sizes.add(new int[] {resolution, resolution});
        for (int width = resolution + step; width <= 2 * resolution; width += step) {
            int height = (int) (area / width / step * step);
            if (height * 2 >= width) {
                sizes.add(new int[] {width, height});
                sizes.add(new int[] {height, width});
            }
        }
        return sizes;
    }

    private AspectBuckets() {
    }
}
