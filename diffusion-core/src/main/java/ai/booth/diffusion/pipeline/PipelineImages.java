package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.train.ClassImageGenerator;
import ai.booth.diffusion.train.ValidationRenderer;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * The pipeline as a training job's image source: class images for prior preservation (drawn from the base model,
 * before training) and validation images (with the adapter being trained active on the model). Every image is a
 * request like {@code template} with the prompt, seed and — for class images — the training resolution replaced.
 */
public final class PipelineImages implements ClassImageGenerator, ValidationRenderer {

    private final TextToImagePipeline pipeline;
    private final GenerationParams template;

    /** @param template steps, guidance, sampler, negative prompt and (for validation) size of every image */
    public PipelineImages(TextToImagePipeline pipeline, GenerationParams template) {
        this.pipeline = pipeline;
        this.template = template;
    }

    @Override
    public BufferedImage generate(String prompt, long seed, int size) {
        return render(pipeline, template.toBuilder().prompt(prompt).seed(seed).imagesPerPrompt(1).size(size, size)
                .build());
    }

    /** With the model being trained: the pipeline's own (an adapter bound to it), or a full fine-tune's copies. */
    @Override
    public List<BufferedImage> render(StableDiffusionModel model, List<String> prompts, long seed,
                                      List<Path> embeddings) {
        try (TextToImagePipeline over = model == pipeline.model() ? null : pipeline.over(model)) {
            TextToImagePipeline renderer = over == null ? pipeline : over;
            return prompts.stream()
                    .map(p -> render(renderer, template.toBuilder().prompt(p).seed(seed).imagesPerPrompt(1)
                            .embeddings(embeddings).build()))
                    .toList();
        }
    }

    private static BufferedImage render(TextToImagePipeline pipeline, GenerationParams params) {
        return pipeline.generate(params).images().get(0).toImage();
    }
}
