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
    STEPS("Steps", "steps"),
    /** Whole prompts, one per column or row (e.g. the subject in several scenes). */
    PROMPT("Prompt", "prompt"),
    /** The conditioning scale of every ControlNet of the request (A1111's "[ControlNet] Weight"). */
    CONTROL_SCALE("ControlNet Weight", "control_scale", "controlnet_scale", "control_weight");

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

    /** The separator of this axis's values on a command line: prompts may contain commas. */
    public String separator() {
        return this == PROMPT ? "|" : ",";
    }

    /** {@code params} with this parameter set to {@code value}. */
    public GenerationParams apply(GenerationParams params, String value) {
        return switch (this) {
            case UNET_LORA_SCALE -> params.withLoraScales((float) number(value), null);
            case TEXT_ENCODER_LORA_SCALE -> params.withLoraScales(null, (float) number(value));
            case GUIDANCE_SCALE -> params.toBuilder().guidanceScale(number(value)).build();
            case SEED -> params.toBuilder().seed((long) number(value)).build();
            case STEPS -> params.toBuilder().steps((int) number(value)).build();
            case PROMPT -> params.toBuilder().prompt(value).build();
            case CONTROL_SCALE -> params.toBuilder().controlNets(params.controlNets().stream()
                    .map(c -> c.withScale(number(value))).toList()).build();
        };
    }

    /** Checks that {@code value} is one this axis can take for {@code params}. */
    void check(GenerationParams params, String value) {
        double number = number(value);
        if (this == PROMPT ? value == null || value.isBlank() : !Double.isFinite(number)) {
            throw new IllegalArgumentException("sweep " + names.get(0) + " values must be "
                    + (this == PROMPT ? "non-empty prompts" : "numbers") + ", got '" + value + "'");
        }
        if ((this == SEED || this == STEPS) && (number != Math.rint(number) || number < 0)) {
            throw new IllegalArgumentException("sweep " + names.get(0) + " values must be whole numbers ≥ 0, got "
                    + value);
        }
        if ((this == UNET_LORA_SCALE || this == TEXT_ENCODER_LORA_SCALE) && params.loras().isEmpty()) {
            throw new IllegalArgumentException("sweep axis " + names.get(0) + " needs at least one LoRA");
        }
        if (this == CONTROL_SCALE && params.controlNets().isEmpty()) {
            throw new IllegalArgumentException("sweep axis " + names.get(0) + " needs at least one ControlNet");
        }
        apply(params, value);  // the request's own validation names a bad value
    }

    /** A cell label: "CFG Scale 7.5", "Seed 42", or the prompt itself. */
    public String format(String value) {
        return this == PROMPT ? value : label + " " + formatValue(value);
    }

    public String formatValue(String value) {
        return switch (this) {
            case SEED, STEPS -> Long.toString((long) number(value));
            case GUIDANCE_SCALE, CONTROL_SCALE -> Infotext.number(number(value));
            // LoRA scales are floats: 0.7 is shown as 0.7, not as its double widening
            case UNET_LORA_SCALE, TEXT_ENCODER_LORA_SCALE -> Infotext.number((float) number(value));
            // A1111's X/Y values are comma-separated: quote prompts that hold a comma or a quote
            case PROMPT -> value.contains(",") || value.contains("\"")
                    ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
        };
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException | NullPointerException e) {
            return Double.NaN;
        }
    }
}
