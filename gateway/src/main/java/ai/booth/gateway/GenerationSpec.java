package ai.booth.gateway;

import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridSpec;
import ai.booth.contracts.LoraRef;

import java.util.List;

import static ai.booth.gateway.Defaults.or;
import static ai.booth.gateway.Defaults.required;

/**
 * The body of {@code POST /api/v1/generations}: what {@link GenerationRequested} needs, with defaults for all but
 * the base model and the prompt (30 DDIM steps, guidance 7.5, one 512x512 image, seed 0, no LoRA).
 */
public record GenerationSpec(String baseModel, String prompt, String negativePrompt, Integer steps,
                             Double guidanceScale, Long seed, Integer count, Integer width, Integer height,
                             String scheduler, Integer clipSkip, List<LoraRef> loras, GridSpec grid) {

    GenerationRequested toRequest(String generationId) {
        return new GenerationRequested(generationId, required(baseModel, "baseModel"), required(prompt, "prompt"),
                negativePrompt, or(steps, 30), or(guidanceScale, 7.5), or(seed, 0L), or(count, 1), or(width, 512),
                or(height, 512), or(scheduler, "ddim"), or(clipSkip, 0), or(loras, List.of()), grid);
    }
}
