package ai.booth.diffusion.lora;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.nn.LoraTarget;

import java.util.Map;

/** The network a LoRA module adapts, with its key prefixes in the PEFT/diffusers and kohya/A1111 layouts. */
public enum LoraComponent {
    UNET("unet", "lora_unet_"),
    TEXT_ENCODER("text_encoder", "lora_te_");

    private final String peftPrefix;
    private final String kohyaPrefix;

    LoraComponent(String peftPrefix, String kohyaPrefix) {
        this.peftPrefix = peftPrefix;
        this.kohyaPrefix = kohyaPrefix;
    }

    /** {@code unet} / {@code text_encoder}: the first segment of PEFT keys. */
    public String peftPrefix() {
        return peftPrefix;
    }

    /** {@code lora_unet_} / {@code lora_te_}: the start of kohya module names. */
    public String kohyaPrefix() {
        return kohyaPrefix;
    }

    /** The layers of {@code model} this component's modules address, by module path. */
    public Map<String, LoraTarget> targets(StableDiffusionModel model) {
        return this == UNET ? model.unet().loraTargets() : model.textEncoder().loraTargets();
    }
}
