package ai.booth.gateway.generation;

import ai.booth.contracts.GridSpec;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The body of {@code POST /api/v1/generations}; absent fields take the defaults of {@code ./booth generate}. */
@Schema(description = "Images from a base model, optional LoRA adapters and ControlNets: count images with seeds seed..seed+count-1,"
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
        @Schema(description = "a sweep: axes over seed, steps, guidanceScale, prompt, unetScale, textEncoderScale,"
                + " controlScale (needs controls); up to 8 values each") GridSpec grid,
        @Schema(description = "http(s) URL that receives the result as a signed POST") String callbackUrl,
        @Schema(description = "up to 3 ControlNets steering every image (their residuals add up)")
        List<ControlSpec> controls,
        @Schema(description = "up to 4 COMPLETED pivotal or textual-inversion trainings of yours (trainingId) whose"
                + " new tokens the prompts may name; a pivotal LoRA in loras brings its own") List<String> embeddings,
        @Schema(description = "DeepCache, 1-10: the whole UNet runs every this many steps and the outermost level"
                + " between, reusing the deep features (faster, slightly different images; 3 is a usual choice);"
                + " not with controls", defaultValue = "1") Integer deepCache,
        @Schema(description = "ToMe, 0-0.75: this fraction of the outermost attention level's tokens merged before"
                + " its self-attentions (faster, slightly different images; 0.5 is a usual choice)",
                defaultValue = "0") Double tokenMerging) {

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

    /**
     * One ControlNet unit. Bounds: {@link ai.booth.contracts.rules.ControlRules}.
     *
     * @param model          an installed ControlNet ({@code kind: controlnet} in GET /api/v1/models)
     * @param image          the control image inside the JSON body: base64 of a PNG or JPEG, optionally as a data
     *                       URL ({@code data:image/png;base64,...}); the body's cap (1 MiB) bounds it
     * @param datasetImage   or one of the caller's dataset images (exactly one of the two)
     * @param preprocessor   none (default: the image is the map) or canny (the image is a photo)
     * @param lowThreshold   canny's low threshold 1-255, default 100
     * @param highThreshold  canny's high threshold 1-255 (>= low), default 200
     * @param scale          conditioning scale 0-2, default 1
     * @param guidanceStart  fraction of the steps before which it is off, default 0
     * @param guidanceEnd    fraction of the steps after which it is off, default 1 (start < end)
     * @param guessMode      diffusers' guess mode, default false
     */
    @Schema(description = "A ControlNet unit: an installed ControlNet, its control image (base64 PNG/JPEG in the body,"
            + " or one of your dataset images) and how it steers")
    public record ControlSpec(
            @Schema(description = "installed ControlNet id (kind controlnet)", required = true) String model,
            @Schema(description = "base64 PNG or JPEG, or a data: URL of one; a map, or a photo with a preprocessor."
                    + " Required unless datasetImage is given") String image,
            @Schema(description = "instead of image: one of your dataset images, read where it is stored")
            DatasetImageSpec datasetImage,
            @Schema(description = "none (the image is the map) or canny", defaultValue = "none") String preprocessor,
            @Schema(description = "canny low threshold 1-255", defaultValue = "100") Integer lowThreshold,
            @Schema(description = "canny high threshold 1-255, >= lowThreshold", defaultValue = "200")
            Integer highThreshold,
            @Schema(description = "conditioning scale 0-2", defaultValue = "1") Double scale,
            @Schema(description = "0-1, below guidanceEnd", defaultValue = "0") Double guidanceStart,
            @Schema(description = "0-1, above guidanceStart", defaultValue = "1") Double guidanceEnd,
            @Schema(description = "diffusers' guess mode", defaultValue = "false") Boolean guessMode) {
    }

    /**
     * A control image already in Booth: one of the caller's dataset images.
     *
     * @param datasetId  a READY dataset of yours
     * @param key        one of its images as {@code GET /api/v1/datasets/{datasetId}} lists them ({@code images[].key})
     */
    @Schema(description = "One of your dataset images as a control image")
    public record DatasetImageSpec(
            @Schema(description = "a READY dataset of yours", required = true) String datasetId,
            @Schema(description = "one of its images: an images[].key of GET /api/v1/datasets/{datasetId}",
                    required = true) String key) {
    }
}
