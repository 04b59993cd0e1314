package ai.booth.diffusion.lora;

import ai.djl.ndarray.NDArray;

/**
 * One adapted layer: {@code W' = W + scale · alpha/rank · up·down}, with {@code down} = PEFT's {@code lora_A} /
 * kohya's {@code lora_down} ([rank, in] or [rank, in, k, k]) and {@code up} = {@code lora_B} / {@code lora_up}
 * ([out, rank] or [out, rank, 1, 1]).
 *
 * @param path module path in the component's diffusers/PEFT naming, e.g.
 *             {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q}
 */
public record LoraModule(LoraComponent component, String path, NDArray down, NDArray up, float alpha) {

    public long rank() {
        return down.getShape().get(0);
    }

    /** {@code unet.<path>} / {@code text_encoder.<path>}: the module's PEFT name. */
    public String peftName() {
        return component.peftPrefix() + "." + path;
    }

    /** {@code lora_unet_<path with _>}: the module's kohya name. */
    public String kohyaName() {
        return component.kohyaPrefix() + path.replace('.', '_');
    }
}
