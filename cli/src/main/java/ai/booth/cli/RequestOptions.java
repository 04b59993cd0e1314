package ai.booth.cli;

import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.Infotext;
import ai.booth.diffusion.pipeline.InitialLatents;
import ai.booth.diffusion.pipeline.LoraRequest;
import ai.booth.diffusion.pipeline.PngFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to render: the options of a request. With {@code --from-png} the image's A1111 parameters are the base and
 * every option given explicitly overrides its field.
 */
final class RequestOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-p", "--prompt"}, description = "The prompt (required unless --from-png).")
    String prompt;

    @Option(names = {"-n", "--negative"}, description = "Negative prompt (default: empty).")
    String negative;

    @Option(names = "--steps", description = "Denoising steps (default: 20).")
    Integer steps;

    @Option(names = {"-g", "--guidance"}, description = "Classifier-free guidance scale; ≤ 1 disables CFG (default: 7.5).")
    Double guidance;

    @Option(names = {"-s", "--seed"}, description = "Seed of the first image; image i uses seed+i (default: random).")
    Long seed;

    @Option(names = "--count", description = "Images per prompt (default: 1).")
    Integer count;

    @Option(names = "--width", description = "Width in pixels, a multiple of 8 (default: the model's size).")
    Integer width;

    @Option(names = "--height", description = "Height in pixels, a multiple of 8 (default: the model's size).")
    Integer height;

    @Option(names = "--clip-skip", description = "1 = last CLIP layer, 2 = penultimate, ... (default: 1).")
    Integer clipSkip;

    @Option(names = "--deep-cache", paramLabel = "N", description = "DeepCache: the whole UNet every N steps, the"
            + " outermost level between (faster, slightly different images; 3 is usual; default: 1, off).")
    Integer deepCache;

    @Option(names = "--token-merging", paramLabel = "R", description = "ToMe: merge this fraction of the largest"
            + " attention level's tokens before self-attention (faster, slightly different images; 0.5 is usual;"
            + " default: 0, off).")
    Double tokenMerging;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "ddim, pndm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras, ddpm, or an A1111 sampler label "
                    + "such as \"DPM++ 2M Karras\" (default: dpmpp_2m_karras).")
    String scheduler;

    @Option(names = "--scheduler-option", paramLabel = "KEY=VALUE",
            description = "Override a scheduler parameter, e.g. timestep_spacing=trailing (repeatable).")
    Map<String, String> schedulerOptions;

    @Option(names = "--lora", paramLabel = "FILE[:UNET[:TE]]",
            description = "A LoRA adapter (PEFT/diffusers or kohya/A1111 keys) with its UNet and text-encoder "
                    + "scales; one scale sets both, none means 1 (repeatable).")
    List<String> loras;

    @Option(names = "--embedding", paramLabel = "FILE",
            description = "A textual-inversion embedding (A1111 emb_params or kohya/diffusers clip_l file), triggered "
                    + "by its file name (NAME or <NAME>) or the token names stored in it (repeatable). A LoRA trained "
                    + "with new tokens brings its embedding without this.")
    List<Path> embeddings;

    @Option(names = "--lora-dir", paramLabel = "DIR",
            description = "Where --from-png finds the LoRAs its <lora:NAME:...> tags name, as NAME.safetensors "
                    + "(default: the image's folder).")
    Path loraDir;

    @Option(names = "--initial-latents", paramLabel = "FILE",
            description = "Start from this noise (a safetensors file with one tensor [n, 4, h/8, w/8], unscaled) "
                    + "instead of the seed's; sets the size and count unless given.")
    Path initialLatents;

    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "ControlNet (repeat the group for several):%n")
    List<ControlNetOptions> controlNets;

    @Option(names = "--controlnet-dir", paramLabel = "DIR",
            description = "Where --from-png finds the ControlNets its 'ControlNet N' fields name, as NAME.safetensors "
                    + "or a folder NAME (default: the image's folder); their maps are the NNNNN-SEED-controlN.png "
                    + "files saved beside it.")
    Path controlNetDir;

    @Option(names = "--from-png", paramLabel = "IMAGE",
            description = "Replay the parameters in an image's PNG 'parameters' chunk (Booth or A1111).")
    Path fromPng;

    /**
     * The request; ControlNets given as options are added by {@link #withControlNets} once the size is known.
     * {@code modelHash} is the loaded model's SHA-256, checked against a replayed image's. */
    GenerationParams params(String modelHash, PrintWriter err) {
        GenerationParams.Builder b;
        if (fromPng != null) {
            String text = PngFiles.readParameters(fromPng);
            Path dir = loraDir != null ? loraDir : fromPng.toAbsolutePath().getParent();
            Path cnDir = controlNetDir != null ? controlNetDir : fromPng.toAbsolutePath().getParent();
            GenerationParams replayed = Infotext.parse(text, name -> dir.resolve(name + ".safetensors"),
                    name -> Files.isDirectory(cnDir.resolve(name)) ? cnDir.resolve(name)
                            : cnDir.resolve(name + ".safetensors"));
            b = replayed.toBuilder().controlNets(controlNets != null ? List.of()
                    : ControlMaps.replayed(replayed.controlNets(), fromPng));
            String hash = Infotext.fields(text).get("Model hash");
            if (hash != null && !modelHash.startsWith(hash)) {
                err.println("warning: " + fromPng + " was made with model hash " + hash + ", this model's is "
                        + modelHash.substring(0, 10) + ": the image will differ");
            }
        } else if (prompt != null) {
            b = GenerationParams.builder(prompt);
        } else {
            throw new IllegalArgumentException("--prompt is required (or --from-png IMAGE)");
        }
        if (prompt != null) {
            b.prompt(prompt);
        }
        set(negative, b::negativePrompt);
        set(steps, b::steps);
        set(guidance, b::guidanceScale);
        set(seed, b::seed);
        set(clipSkip, b::clipSkip);
        set(deepCache, b::deepCache);
        set(tokenMerging, b::tokenMerging);
        set(scheduler, b::scheduler);
        if (schedulerOptions != null) {
            Map<String, Object> overrides = new LinkedHashMap<>();
            schedulerOptions.forEach((k, v) -> overrides.put(k, value(v)));
            b.schedulerOverrides(overrides);
        }
        if (loras != null) {
            b.loras(loras.stream().map(LoraRequest::parse).toList());
        }
        if (embeddings != null) {
            b.embeddings(embeddings);
        }
        if (initialLatents != null) {
            // the file decides count and size unless they are given; the pipeline checks it fits
            b.initialLatents(initialLatents).imagesPerPrompt((int) InitialLatents.shape(initialLatents).get(0))
                    .size(0, 0);
        }
        set(count, b::imagesPerPrompt);
        set(width, b::width);
        set(height, b::height);
        return b.build();
    }

    /**
     * {@code sized} (a request at its output size) with the command line's ControlNet units, their maps
     * preprocessed into {@code work}; unchanged when none are given.
     */
    GenerationParams withControlNets(GenerationParams sized, Path work) {
        return controlNets == null ? sized
                : sized.toBuilder().controlNets(ControlMaps.fromOptions(controlNets, sized, work)).build();
    }

    /** A scheduler option's value: a JSON scalar (number, true/false, null, "quoted") or else the text itself. */
    private static Object value(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.isValueNode()) {
                return node.isNull() ? null : node.isBoolean() ? node.asBoolean() : node.isIntegralNumber()
                        ? (Object) node.asLong() : node.isNumber() ? (Object) node.asDouble() : node.asText();
            }
        } catch (JsonProcessingException notJson) {
            // a bare word such as trailing
        }
        return text;
    }

    private static <T> void set(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
