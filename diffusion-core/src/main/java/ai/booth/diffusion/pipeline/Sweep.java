package ai.booth.diffusion.pipeline;

import java.util.List;

/**
 * A grid over two parameters: columns take the {@code x} values, rows the {@code y} values. LoRA-scale axes set the
 * scale of every LoRA of the request.
 */
public record Sweep(SweepAxis x, List<String> xValues, SweepAxis y, List<String> yValues) {

    public Sweep {
        if (x == null || y == null) {
            throw new IllegalArgumentException("a sweep needs an x and a y axis");
        }
        if (x == y) {
            throw new IllegalArgumentException("sweep axes must differ, both are " + x.label());
        }
        if (xValues == null || xValues.isEmpty() || yValues == null || yValues.isEmpty()) {
            throw new IllegalArgumentException("sweep axes need at least one value each, got x " + xValues
                    + ", y " + yValues);
        }
        xValues = List.copyOf(xValues);
        yValues = List.copyOf(yValues);
    }

    /**
     * Parses {@code axis=v1,v2,...}, e.g. {@code guidance=3,7.5} or {@code unet_scale=0,0.5,1}; prompts are separated
     * by '|': {@code prompt=a photo of sks dog|sks dog on the moon}. Values are checked against the request when
     * rendered.
     */
    public static Sweep parse(String xSpec, String ySpec) {
        Axis a = Axis.parse(xSpec);
        Axis b = Axis.parse(ySpec);
        return new Sweep(a.axis, a.values, b.axis, b.values);
    }

    private record Axis(SweepAxis axis, List<String> values) {
        static Axis parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("sweep axis '" + spec + "' must be AXIS=V1,V2,...");
            }
            SweepAxis axis = SweepAxis.parse(spec.substring(0, eq));
            return new Axis(axis, java.util.Arrays.stream(spec.substring(eq + 1).split(
                    java.util.regex.Pattern.quote(axis.separator()))).map(String::strip).toList());
        }
    }
}
