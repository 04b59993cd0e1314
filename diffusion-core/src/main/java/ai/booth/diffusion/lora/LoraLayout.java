package ai.booth.diffusion.lora;

import java.util.Locale;
import java.util.Set;

/**
 * The two ways LoRA files name their tensors.
 * <ul>
 *   <li>{@link #PEFT}: diffusers/PEFT — {@code unet.<module>.lora_A.weight} / {@code lora_B.weight},
 *       {@code text_encoder.<module>...}; rank and alpha in the metadata ({@code lora_rank}, {@code lora_alpha}).
 *       Reading also accepts diffusers' older spellings ({@code .lora.down/up.weight},
 *       {@code .lora_linear_layer.down/up.weight}, attention processors {@code .processor.to_q_lora.down.weight}).</li>
 *   <li>{@link #KOHYA}: kohya sd-scripts / AUTOMATIC1111 — {@code lora_unet_<module_with_underscores>.lora_down.weight}
 *       / {@code lora_up.weight} / {@code alpha}, {@code lora_te_...} for the text encoder.</li>
 * </ul>
 */
public enum LoraLayout {
    PEFT, KOHYA;

    /** The layout of a file with these tensor names. */
    public static LoraLayout detect(Set<String> names) {
        boolean kohya = names.stream().anyMatch(n -> n.endsWith(".lora_down.weight"));
        boolean peft = names.stream().anyMatch(n -> n.endsWith(".lora_A.weight") || n.endsWith(".down.weight"));
        if (kohya == peft) {
            throw new IllegalArgumentException(kohya
                    ? "mixes kohya (lora_down) and PEFT (lora_A / .down) tensor names"
                    : "has no LoRA tensors (expected *.lora_A.weight, *.lora.down.weight or *.lora_down.weight)");
        }
        return kohya ? KOHYA : PEFT;
    }

    /** Parses "peft", "diffusers", "kohya", "a1111" (any case). */
    public static LoraLayout parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "peft", "diffusers" -> PEFT;
            case "kohya", "a1111", "webui" -> KOHYA;
            default -> throw new IllegalArgumentException("unknown LoRA layout '" + name
                    + "': use peft (diffusers) or kohya (A1111)");
        };
    }

    /** The usual file name of an adapter saved in this layout. */
    public String fileName() {
        return this == PEFT ? "pytorch_lora_weights.safetensors" : "lora_kohya.safetensors";
    }
}
