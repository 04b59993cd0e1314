package ai.booth.diffusion.lora;

import ai.booth.diffusion.nn.LoraTarget;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which layers a new adapter trains, as regular expressions over module paths per component. The defaults are the
 * DreamBooth-LoRA choice of diffusers' script: the UNet's attention projections (to_q, to_k, to_v, to_out.0 of
 * attn1 and attn2) and, when the text encoder is trained, its self-attention q/k/v/out projections.
 */
public record LoraTargets(List<Pattern> unet, List<Pattern> textEncoder) {

    public static final Pattern UNET_ATTENTION = Pattern.compile(".*\\.attn[12]\\.(to_q|to_k|to_v|to_out\\.0)");
    public static final Pattern TEXT_ATTENTION = Pattern.compile(".*\\.self_attn\\.(q_proj|k_proj|v_proj|out_proj)");
    /** kohya's wider choice: also the feed-forward and transformer projections, and the CLIP MLP. */
    public static final Pattern UNET_TRANSFORMER = Pattern.compile(
            ".*\\.(attn[12]\\.(to_q|to_k|to_v|to_out\\.0)|ff\\.net\\.(0\\.proj|2)|proj_in|proj_out)");
    public static final Pattern TEXT_ALL = Pattern.compile(".*\\.(self_attn\\.(q_proj|k_proj|v_proj|out_proj)|mlp\\.fc[12])");

    public LoraTargets {
        unet = List.copyOf(unet);
        textEncoder = List.copyOf(textEncoder);
    }

    /** UNet attention projections, plus the text encoder's when {@code trainTextEncoder}. */
    public static LoraTargets attention(boolean trainTextEncoder) {
        return new LoraTargets(List.of(UNET_ATTENTION), trainTextEncoder ? List.of(TEXT_ATTENTION) : List.of());
    }

    /** The layers of {@code component} whose path matches one of its patterns, in model order. */
    List<LoraTarget> select(LoraComponent component, Map<String, LoraTarget> layers) {
        List<Pattern> patterns = component == LoraComponent.UNET ? unet : textEncoder;
        return layers.values().stream()
                .filter(t -> patterns.stream().anyMatch(p -> p.matcher(t.path()).matches()))
                .toList();
    }
}
