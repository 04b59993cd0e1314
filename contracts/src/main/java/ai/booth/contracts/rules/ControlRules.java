package ai.booth.contracts.rules;

import ai.booth.contracts.Buckets;

import java.util.List;

/**
 * Bounds and defaults of a generation's ControlNet units ({@code controls[]}), for the gateway's field checks, the
 * sampler's request check and the canny preprocessor (the CLI's too). The scale range is A1111's weight slider, the
 * thresholds its canny sliders; the window follows diffusers' check: 0 ≤ start &lt; end ≤ 1.
 */
public final class ControlRules {

    public static final int MAX_CONTROLS = 3;
    public static final Range SCALE = new Range(0, 2);
    /** guidanceStart and guidanceEnd: fractions of the steps; start must lie below end. */
    public static final Range GUIDANCE_WINDOW = new Range(0, 1);
    public static final Range CANNY_THRESHOLD = new Range(1, 255);
    public static final String NONE = "none";
    public static final String CANNY = "canny";
    public static final List<String> PREPROCESSORS = List.of(NONE, CANNY);
    /**
     * Where a unit's control image may be read: uploaded with the request, or one of the owner's dataset images
     * (always under the owner's prefix).
     */
    public static final List<String> IMAGE_BUCKETS = List.of(Buckets.GENERATIONS, Buckets.DATASETS);
    /** A control image's width and height in pixels (it is resized to the output size before use). */
    public static final Range IMAGE_SIDE = new Range(8, 4096);

    public static final double DEFAULT_SCALE = 1.0;
    public static final double DEFAULT_GUIDANCE_START = 0.0;
    public static final double DEFAULT_GUIDANCE_END = 1.0;
    /** A1111's canny defaults. */
    public static final int DEFAULT_CANNY_LOW = 100;
    public static final int DEFAULT_CANNY_HIGH = 200;

    /** What is wrong with a control image of this size ("must be 8-4096 pixels a side, got WxH"), or null. */
    public static String imageSideProblem(int width, int height) {
        return IMAGE_SIDE.contains(width) && IMAGE_SIDE.contains(height) ? null : "must be " + IMAGE_SIDE.minInt()
                + "-" + IMAGE_SIDE.maxInt() + " pixels a side, got " + width + "x" + height;
    }

    /** Whether a unit's step window is valid. */
    public static boolean validWindow(double start, double end) {
        return GUIDANCE_WINDOW.contains(start) && GUIDANCE_WINDOW.contains(end) && start < end;
    }

    private ControlRules() {
    }
}
