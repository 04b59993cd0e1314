package ai.booth.cli;

import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.StepListener;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** A command that loads a model, builds a request from the options and renders it into {@code --out}. */
abstract class RenderCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    RequestOptions request;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "outputs",
            description = "Folder for the PNGs (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try (StableDiffusionModel sd = model.load();
             TextToImagePipeline pipeline = new TextToImagePipeline(sd, model.assets(sd))) {
            Path work = Files.createTempDirectory("booth-control");
            try {
                GenerationParams params = request.withControlNets(
                        pipeline.sized(request.params(sd.contentHash(), err)), work);
                render(pipeline, params, quiet ? StepListener.NONE : new ProgressBar(err),
                        spec.commandLine().getOut());
            } finally {
                FileTrees.delete(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    /** Renders and writes the result, printing each written file on {@code out}. */
    abstract void render(TextToImagePipeline pipeline, GenerationParams params, StepListener progress,
                         PrintWriter out);
}
