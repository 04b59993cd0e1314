package ai.booth.contracts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a dataset's photos become training images.
 *
 * @param cropMode            {@value #FACE} (square around the detected face, head and shoulders; centre when none
 *                            is found), {@value #CENTRE} (largest centred square) or {@value #PAD} (whole photo,
 *                            padded to a square)
 * @param resolution          side of the square output in pixels, a multiple of 8 (512 for SD 1.x, 768 for SD 2.x)
 * @param aspectBuckets       true: instead of a square, the output takes the bucket (both sides multiples of 64,
 *                            area about resolution², aspect 1:2 to 2:1) closest to the photo's aspect ratio
 * @param dropNearDuplicates  true: of each group of near-duplicate photos only the sharpest enters the training set
 */
public record DatasetSettings(String cropMode, int resolution, boolean aspectBuckets, boolean dropNearDuplicates) {

    public static final String FACE = "face";
    public static final String CENTRE = "centre";
    public static final String PAD = "pad";
    public static final List<String> CROP_MODES = List.of(FACE, CENTRE, PAD);
    public static final int MIN_RESOLUTION = 256;
    public static final int MAX_RESOLUTION = 2048;

    public static final DatasetSettings DEFAULT = new DatasetSettings(FACE, 512, false, true);

    /** Settings from optional request fields: absent ones take {@link #DEFAULT}'s value; "center" means centre. */
    public static DatasetSettings of(String cropMode, Integer resolution, Boolean aspectBuckets,
                                     Boolean dropNearDuplicates) {
        String mode = cropMode == null || cropMode.isBlank() ? DEFAULT.cropMode
                : cropMode.trim().toLowerCase(Locale.ROOT).replace("center", CENTRE);
        return new DatasetSettings(mode,
                resolution == null ? DEFAULT.resolution : resolution,
                aspectBuckets == null ? DEFAULT.aspectBuckets : aspectBuckets,
                dropNearDuplicates == null ? DEFAULT.dropNearDuplicates : dropNearDuplicates);
    }

    /** What is wrong with these settings, one line per field; empty when they are usable. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!CROP_MODES.contains(cropMode)) {
            problems.add("cropMode must be one of " + CROP_MODES + ", got '" + cropMode + "'");
        }
        if (resolution < MIN_RESOLUTION || resolution > MAX_RESOLUTION || resolution % 8 != 0) {
            problems.add("resolution must be a multiple of 8 in " + MIN_RESOLUTION + ".." + MAX_RESOLUTION + ", got "
                    + resolution);
        }
        return problems;
    }

    /** These settings, or an {@link IllegalArgumentException} naming every bad field. */
    public DatasetSettings validated() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return this;
    }
}
