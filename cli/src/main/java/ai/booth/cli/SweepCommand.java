package ai.booth.cli;

import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.StepListener;
import ai.booth.diffusion.pipeline.Sweep;
import ai.booth.diffusion.pipeline.SweepRenderer;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A grid over two of unet_scale, te_scale, guidance, seed, steps, prompt (prompts separated by |):"
                + " one labelled contact-sheet PNG (NNNNN-grid-SEED.png). LoRA scale axes set the scales of every --lora.",
                "Example: booth sweep -p \"a photo of sks dog\" --lora rex.safetensors --x unet_scale=0,0.5,1 "
                        + "--y guidance=3,7.5"})
final class SweepCommand extends RenderCommand {

    @Option(names = "--x", required = true, paramLabel = "AXIS=V1,V2,...", description = "The columns.")
    String x;

    @Option(names = "--y", required = true, paramLabel = "AXIS=V1,V2,...", description = "The rows.")
    String y;

    @Override
    void render(TextToImagePipeline pipeline, GenerationParams params, StepListener progress, PrintWriter out) {
        SweepRenderer.Result result = new SweepRenderer(pipeline).render(params, Sweep.parse(x, y), progress,
                () -> false);
        Path file = Outputs.next(this.out, "grid-" + params.seed());
        result.writePng(file);
        out.println(file);
    }
}
