package ai.booth.diffusion.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A parameter a sweep varies, with the names it is given on the command line and its A1111 X/Y-plot label. */
public enum SweepAxis {
    UNET_LORA_SCALE("UNet LoRA scale", "unet_scale", "unet_lora_scale", "unet"),
    TEXT_ENCODER_LORA_SCALE("TE LoRA scale", "te_scale", "text_encoder_lora_scale", "text_encoder_scale", "te"),
    GUIDANCE_SCALE("CFG Scale", "guidance", "guidance_scale", "cfg", "cfg_scale"),
    SEED("Seed", "seed"),
    STEPS("Steps", "steps");

    private final String label;
    private final List<String> names;

    SweepAxis(String label, String... names) {
        this.label = label;
        this.names = List.of(names);
    }

    /** The A1111-style label, as in {@code X Type: CFG Scale}. */
    public String label() {
        return label;
    }

    public static SweepAxis parse(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        for (SweepAxis axis : values()) {
            if (axis.names.contains(key)) {
                return axis;
            }
        }
        throw new IllegalArgumentException("unknown sweep axis '" + name + "': use one of "
                + Arrays.stream(values()).map(a -> a.names.get(0)).toList());
    }

    /** {@code params} with this parameter set to {@code value}. */
    public GenerationParams apply(GenerationParams params, double value) {
        return switch (this) {
            case UNET_LORA_SCALE -> params.withLoraScales((float) value, null);
            case TEXT_ENCODER_LORA_SCALE -> params.withLoraScales(null, (float) value);
            case GUIDANCE_SCALE -> params.toBuilder().guidanceScale(value).build();
            case SEED -> params.toBuilder().seed((long) value).build();
            case STEPS -> params.toBuilder().steps((int) value).build();
        };
    }

    /** Checks that {@code value} is one this axis can take for {@code params}. */
    void check(GenerationParams params, double value) {
        if ((this == SEED || this == STEPS) && (value != Math.rint(value) || value < 0)) {
            throw new IllegalArgumentException("sweep " + names.get(0) + " values must be whole numbers ≥ 0, got "
                    + value);
        }
        if ((this == UNET_LORA_SCALE || this == TEXT_ENCODER_LORA_SCALE) && params.loras().isEmpty()) {
            throw new IllegalArgumentException("sweep axis " + names.get(0) + " needs at least one LoRA");
        }
        apply(params, value);  // the request's own validation names a bad value
    }

    /** A cell label: "CFG Scale 7.5", "Seed 42". */
    public String format(double value) {
        return label + " " + formatValue(value);
    }

    public String formatValue(double value) {
        return switch (this) {
            case SEED, STEPS -> Long.toString((long) value);
            case GUIDANCE_SCALE -> Infotext.number(value);
            // LoRA scales are floats: 0.7 is shown as 0.7, not as its double widening
            case UNET_LORA_SCALE, TEXT_ENCODER_LORA_SCALE -> Infotext.number((float) value);
        };
    }
}
