package ai.booth.cli;

import ai.booth.diffusion.pipeline.ImageResult;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.GenerationResult;
import ai.booth.diffusion.pipeline.StepListener;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Text to image. Writes one PNG per image (NNNNN-SEED.png) with AUTOMATIC1111 'parameters', "
                + "printing each path.",
                "Example: booth generate -p \"a photo of sks dog on the beach\" --lora rex.safetensors:0.8:0.5 "
                        + "--seed 42 --steps 25",
                "With a ControlNet: booth generate -p \"a dog\" --controlnet control_v11p_sd15_canny.safetensors "
                        + "--control-image photo.jpg --control-preprocess canny --control-scale 0.8 --control-end 0.8"})
final class GenerateCommand extends RenderCommand {

    @Option(names = "--save-tensor", paramLabel = "FILE",
            description = "Also save the float images [n, 3, H, W] in [0, 1] (tensor 'image') as safetensors.")
    Path saveTensor;

    @Override
    void render(TextToImagePipeline pipeline, GenerationParams params, StepListener progress, PrintWriter out) {
        GenerationResult result = pipeline.generate(params, progress, () -> false);
        for (ImageResult image : result.images()) {
            Path file = Outputs.next(this.out, Long.toString(image.params().seed()));
            image.writePng(file);
            ControlMaps.saveBeside(file, image.params());
            out.println(file);
        }
        if (saveTensor != null) {
            result.saveTensor(saveTensor);
            out.println(saveTensor);
        }
    }
}
