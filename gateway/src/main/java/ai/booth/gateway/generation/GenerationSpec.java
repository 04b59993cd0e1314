package ai.booth.gateway.generation;

import ai.booth.contracts.GridSpec;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The body of {@code POST /api/v1/generations}; absent fields take the defaults of {@code ./booth generate}. */
@Schema(description = "Images from a base model and optional LoRA adapters: count images with seeds seed..seed+count-1,"
        + " or one image per cell of a grid over two parameters.")
public record GenerationSpec(
        @Schema(description = "installed base model id", required = true) String baseModel,
        @Schema(description = "what to draw, at most 75 CLIP tokens", required = true) String prompt,
        @Schema(description = "what to steer away from, at most 75 CLIP tokens") String negativePrompt,
        @Schema(description = "1-150", defaultValue = "20") Integer steps,
        @Schema(description = "classifier-free guidance 0-30; <= 1 turns it off", defaultValue = "7.5")
        Double guidanceScale,
        @Schema(description = ">= 0; default: random") Long seed,
        @Schema(description = "1-8 images (ignored with a grid)", defaultValue = "1") Integer count,
        @Schema(description = "multiple of 8 in 64-2048; default: the model's size (512)") Integer width,
        @Schema(description = "multiple of 8 in 64-2048; default: the model's size (512)") Integer height,
        @Schema(description = "ddim, pndm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras, ddpm or an A1111 label",
                defaultValue = "dpmpp_2m_karras") String scheduler,
        @Schema(description = "text-encoder layers to skip from the end, 0-10", defaultValue = "0") Integer clipSkip,
        @Schema(description = "up to 4 LoRA adapters") List<LoraSpec> loras,
        @Schema(description = "a sweep: axes over seed, steps, guidanceScale, prompt, unetScale, textEncoderScale;"
                + " up to 8 values each") GridSpec grid,
        @Schema(description = "http(s) URL that receives the result as a signed POST") String callbackUrl) {

    /**
     * One adapter: a completed training of yours (or its adapter key) with separate UNet and text-encoder scales.
     *
     * @param trainingId        a COMPLETED training of yours
     * @param adapterKey        or the adapter's key in the adapters bucket
     * @param unetScale         -2..2, default 1
     * @param textEncoderScale  -2..2, default 1
     */
    public record LoraSpec(String trainingId, String adapterKey, Double unetScale, Double textEncoderScale) {
    }
}
