package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.scheduler.Schedulers;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything that decides a text-to-image result. Validated on construction: a bad field is an
 * {@link IllegalArgumentException} naming it.
 *
 * @param prompt             the text to render (A1111 {@code <lora:...>} tags are not part of it: see {@link #loras})
 * @param negativePrompt     the unconditional text of classifier-free guidance ("" = the empty prompt, as diffusers)
 * @param steps              denoising steps (model evaluations per image), ≥ 1
 * @param guidanceScale      classifier-free guidance g ≥ 0: eps = uncond + g·(cond − uncond); g ≤ 1 skips the
 *                           unconditional pass and uses cond alone, as diffusers does
 * @param seed               seed of image 0; image i of a request uses {@code seed + i} (A1111 style), each drawn
 *                           from its own {@code torch.Generator("cpu").manual_seed(seed + i)}: 0 ≤ seed, and the
 *                           last image's seed must fit torch's 32 bits
 * @param imagesPerPrompt    how many images, ≥ 1
 * @param width              image width in pixels, a multiple of 8; 0 = the initial latents' width, else the
 *                           model's default size
 * @param height             image height in pixels, a multiple of 8; 0 = as for width
 * @param clipSkip           A1111's clip skip: 1 = last CLIP layer, 2 = penultimate, ...
 * @param scheduler          a scheduler name or A1111 sampler label (see {@link Schedulers})
 * @param schedulerOverrides scheduler parameters set over the model's scheduler config
 * @param loras              adapters applied for this request, each with its UNet and text-encoder scale
 * @param initialLatents     a safetensors file holding the initial noise [n, 4, h/8, w/8] (unscaled, as diffusers'
 *                           {@code latents=}) instead of drawing it from the seed; null to draw it
 * @param controlNets        ControlNets steering the UNet, each with its own map, scale and step window (their
 *                           residuals add up, as diffusers' MultiControlNetModel)
 * @param embeddings         textual-inversion files (A1111 or kohya/diffusers layout) whose tokens the prompts may
 *                           use; adapters that carry tokens bring theirs without being listed
 * @param deepCache          DeepCache (Ma et al. 2023): the whole UNet runs every this many steps and the steps between
 *                           reuse its deep features, running only the outermost level (faster, slightly different);
 *                           1 = off, the default; not with ControlNets
 * @param tokenMerging       ToMe for SD (Bolya &amp; Hoffman 2023): this fraction of the outermost attention level's
 *                           tokens merged before its self-attentions (faster, slightly different); 0 = off, the default
 */
public record GenerationParams(String prompt, String negativePrompt, int steps, double guidanceScale, long seed,
                               int imagesPerPrompt, int width, int height, int clipSkip, String scheduler,
                               Map<String, Object> schedulerOverrides, List<LoraRequest> loras,
                               Path initialLatents, List<ControlNetRequest> controlNets, List<Path> embeddings,
                               int deepCache, double tokenMerging) {

    /** torch seeds are 32-bit: larger seeds would silently alias smaller ones. */
    public static final long MAX_SEED = 0xFFFF_FFFFL;
    /** Booth's generation defaults, the same for the CLI, the API and Kafka requests (the gateway reads these). */
    public static final String DEFAULT_SCHEDULER = "dpmpp_2m_karras";
    public static final int DEFAULT_STEPS = 20;
    public static final double DEFAULT_GUIDANCE_SCALE = 7.5;
    public static final int DEFAULT_IMAGES_PER_PROMPT = 1;

    public GenerationParams {
        require(prompt != null, "prompt", "is missing", null);
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        require(steps >= 1, "steps", "must be ≥ 1", steps);
        require(Double.isFinite(guidanceScale) && guidanceScale >= 0, "guidance_scale", "must be a number ≥ 0",
                guidanceScale);
        require(imagesPerPrompt >= 1, "images_per_prompt", "must be ≥ 1", imagesPerPrompt);
        require(seed >= 0 && seed + imagesPerPrompt - 1 <= MAX_SEED, "seed",
                "must be in 0.." + MAX_SEED + " for every image (seed + images_per_prompt − 1)", seed);
        require(width >= 0 && width % 8 == 0, "width", "must be a positive multiple of 8 (or 0 for the model's size)",
                width);
        require(height >= 0 && height % 8 == 0, "height",
                "must be a positive multiple of 8 (or 0 for the model's size)", height);
        require(clipSkip >= 1, "clip_skip", "must be ≥ 1 (1 = last layer)", clipSkip);
        require(scheduler != null, "scheduler", "is missing", null);
        try {
            scheduler = Schedulers.canonicalName(scheduler);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheduler: " + e.getMessage(), e);
        }
        schedulerOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(
                schedulerOverrides == null ? Map.of() : schedulerOverrides));
        loras = List.copyOf(loras == null ? List.of() : loras);
        controlNets = List.copyOf(controlNets == null ? List.of() : controlNets);
        embeddings = List.copyOf(embeddings == null ? List.of() : embeddings);
        require(deepCache >= 1, "deep_cache", "must be ≥ 1 (1 = off)", deepCache);
        require(tokenMerging >= 0 && tokenMerging < 1, "token_merging", "must be in [0, 1) (0 = off)", tokenMerging);
        require(deepCache == 1 || controlNets.isEmpty(), "deep_cache",
                "does not combine with ControlNets: their residuals feed the levels DeepCache skips", deepCache);
    }

    private static void require(boolean ok, String field, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(field + " " + rule + (value == null ? "" : ", got " + value));
        }
    }

    /** Classifier-free guidance runs the unconditional pass only above 1, as in diffusers. */
    public boolean classifierFreeGuidance() {
        return guidanceScale > 1;
    }

    public static Builder builder(String prompt) {
        return new Builder().prompt(prompt);
    }

    public Builder toBuilder() {
        return new Builder().prompt(prompt).negativePrompt(negativePrompt).steps(steps).guidanceScale(guidanceScale)
                .seed(seed).imagesPerPrompt(imagesPerPrompt).width(width).height(height).clipSkip(clipSkip)
                .scheduler(scheduler).schedulerOverrides(schedulerOverrides).loras(loras)
                .initialLatents(initialLatents).controlNets(controlNets).embeddings(embeddings).deepCache(deepCache)
                .tokenMerging(tokenMerging);
    }

    /** Image {@code index} of this request on its own: its seed, one image. */
    public GenerationParams image(int index) {
        return toBuilder().seed(seed + index).imagesPerPrompt(1).build();
    }

    /** This request with every LoRA's UNet scale (when not null) and text-encoder scale (when not null) replaced. */
    public GenerationParams withLoraScales(Float unet, Float textEncoder) {
        return toBuilder().loras(loras.stream().map(l -> l.withScales(unet != null ? unet : l.unetScale(),
                textEncoder != null ? textEncoder : l.textEncoderScale())).toList()).build();
    }

    /**
     * Parses AUTOMATIC1111's PNG {@code parameters} text (see {@link Infotext}); LoRA names from
     * {@code <lora:name:...>} tags are turned into files by {@code loraFiles}.
     */
    public static GenerationParams fromInfotext(String text, Function<String, Path> loraFiles) {
        return Infotext.parse(text, loraFiles);
    }

    /** {@link #fromInfotext(String, Function)} with LoRA names resolved to {@code <name>.safetensors}. */
    public static GenerationParams fromInfotext(String text) {
        return Infotext.parse(text, name -> Path.of(name + ".safetensors"));
    }

    /** Builds requests with Booth's defaults: 20 steps, guidance 7.5, DPM++ 2M Karras, a random seed, model size. */
    public static final class Builder {
        private static final SecureRandom SEEDS = new SecureRandom();

        private String prompt;
        private String negativePrompt = "";
        private int steps = DEFAULT_STEPS;
        private double guidanceScale = DEFAULT_GUIDANCE_SCALE;
        private Long seed;
        private int imagesPerPrompt = DEFAULT_IMAGES_PER_PROMPT;
        private int width;
        private int height;
        private int clipSkip = 1;
        private String scheduler = DEFAULT_SCHEDULER;
        private Map<String, Object> schedulerOverrides = Map.of();
        private List<Path> embeddings = List.of();
        private int deepCache = 1;
        private double tokenMerging;
        private List<LoraRequest> loras = List.of();
        private Path initialLatents;
        private List<ControlNetRequest> controlNets = List.of();

        public Builder prompt(String v) {
            prompt = v;
            return this;
        }

        public Builder negativePrompt(String v) {
            negativePrompt = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder guidanceScale(double v) {
            guidanceScale = v;
            return this;
        }

        /** A seed ≥ 0; a negative seed (A1111's −1) or none picks a random one at {@link #build}. */
        public Builder seed(long v) {
            seed = v < 0 ? null : v;
            return this;
        }

        public Builder imagesPerPrompt(int v) {
            imagesPerPrompt = v;
            return this;
        }

        public Builder width(int v) {
            width = v;
            return this;
        }

        public Builder height(int v) {
            height = v;
            return this;
        }

        public Builder size(int w, int h) {
            return width(w).height(h);
        }

        public Builder clipSkip(int v) {
            clipSkip = v;
            return this;
        }

        public Builder scheduler(String v) {
            scheduler = v;
            return this;
        }

        public Builder schedulerOverrides(Map<String, Object> v) {
            schedulerOverrides = v;
            return this;
        }

        public Builder loras(List<LoraRequest> v) {
            loras = v;
            return this;
        }

        public Builder initialLatents(Path v) {
            initialLatents = v;
            return this;
        }

        public Builder controlNets(List<ControlNetRequest> v) {
            controlNets = v;
            return this;
        }

        public Builder tokenMerging(double v) {
            tokenMerging = v;
            return this;
        }

        public Builder deepCache(int v) {
            deepCache = v;
            return this;
        }

        public Builder embeddings(List<Path> v) {
            embeddings = v;
            return this;
        }

        public GenerationParams build() {
            long s = seed != null ? seed : (SEEDS.nextLong() & MAX_SEED) % (MAX_SEED + 2 - Math.max(1, imagesPerPrompt));
            return new GenerationParams(prompt, negativePrompt, steps, guidanceScale, s, imagesPerPrompt, width,
                    height, clipSkip, scheduler, schedulerOverrides, loras, initialLatents, controlNets,
                    embeddings, deepCache, tokenMerging);
        }
    }
}
