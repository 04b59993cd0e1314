package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.SubjectFidelity;
import ai.booth.diffusion.io.AtomicFiles;
import ai.booth.diffusion.runtime.EngineOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The DreamBooth paper's subject and prompt fidelity: DINO and CLIP-I (mean cosine over every "
                + "(generated, real) image pair) and CLIP-T (mean cosine between each generated image and the prompt "
                + "without the rare token).",
                "Example: booth eval --clip clip-vit-large-patch14 --dino dino-vits16 --real photos/ --generated out/ "
                        + "--prompt \"a photo of sks dog on the beach\" --json scores.json"})
final class EvalCommand implements Runnable {

    @Option(names = "--clip", required = true, paramLabel = "DIR",
            description = "A transformers CLIPModel folder (config.json, model.safetensors, preprocessor_config.json, "
                    + "tokenizer), e.g. openai/clip-vit-large-patch14.")
    Path clip;

    @Option(names = "--dino", required = true, paramLabel = "DIR",
            description = "A transformers ViTModel folder (config.json, model.safetensors, preprocessor_config.json), "
                    + "e.g. facebook/dino-vits16.")
    Path dino;

    @Option(names = "--real", required = true, paramLabel = "DIR", description = "The subject's real photos.")
    Path real;

    @Option(names = "--generated", required = true, paramLabel = "DIR", description = "The generated images.")
    Path generated;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT",
            description = "The prompt the images were generated from.")
    String prompt;

    @Option(names = "--token", defaultValue = "sks", paramLabel = "WORD",
            description = "The rare token, removed from the prompt for CLIP-T (default: ${DEFAULT-VALUE}; \"\" keeps "
                    + "the prompt as is).")
    String token;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write {dino, clip_i, clip_t, pairs} here.")
    Path json;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu[:N]",
            description = "Where to run (default: ${DEFAULT-VALUE}).")
    String device;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        List<RgbImage> realImages = RgbImage.filesIn(real).stream().map(RgbImage::read).toList();
        List<RgbImage> generatedImages = RgbImage.filesIn(generated).stream().map(RgbImage::read).toList();
        SubjectFidelity scores;
        try (EvalEncoders encoders = EvalEncoders.load(clip, dino, EngineOptions.parse(device, "float32"))) {
            scores = SubjectFidelity.score(encoders, realImages, generatedImages, prompt, token);
        }
        String textPrompt = SubjectFidelity.withoutToken(prompt, token);
        out.printf("%-7s %8s  %s%n", "metric", "score", "over");
        out.printf("%-7s %8.4f  %d generated × %d real images (%d pairs)%n", "DINO", scores.dino(),
                generatedImages.size(), realImages.size(), scores.pairs());
        out.printf("%-7s %8.4f  the same pairs%n", "CLIP-I", scores.clipI());
        out.printf("%-7s %8.4f  %d generated images × \"%s\"%n", "CLIP-T", scores.clipT(), generatedImages.size(),
                textPrompt);
        if (json != null) {
            try {
                String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(scores.toMap());
                AtomicFiles.write(json, tmp -> Files.writeString(tmp, text + "\n"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json, e);
            }
            out.println(json);
        }
    }
}
