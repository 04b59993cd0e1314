package ai.booth.cli;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.ConfigInference;
import ai.booth.diffusion.loader.ControlNetLoader;
import ai.booth.diffusion.loader.ModelConfigs;
import ai.booth.diffusion.lora.LoraLayout;
import ai.booth.diffusion.pipeline.ModelHashes;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Summarise a model (diffusers folder or single checkpoint), a LoRA file, or a PNG's parameters, "
                + "without loading any weights.")
final class InspectCommand implements Runnable {

    @Parameters(paramLabel = "PATH", description = "A diffusers folder, a .safetensors file or a .png image.")
    Path path;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (Files.isDirectory(path)) {
            folder(out);
        } else if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + " does not exist");
        } else if (path.getFileName().toString().toLowerCase().endsWith(".png")) {
            out.println(PngFiles.readParameters(path));
        } else {
            try (SafeTensors st = SafeTensors.open(path)) {
                ControlNetLoader.SingleFile cn = ControlNetLoader.describe(st);
                if (cn != null) {
                    controlNet(st, cn, out);
                } else if (isLora(st)) {
                    lora(st, out);
                } else {
                    checkpoint(st, out);
                }
            }
        }
    }

    private void folder(PrintWriter out) {
        if (!Files.isRegularFile(path.resolve("model_index.json"))) {
            throw new IllegalArgumentException(path + " is not a diffusers folder: no model_index.json");
        }
        out.println("diffusers folder " + path.toAbsolutePath().normalize());
        architecture(ModelConfigs.fromFolder(path), out);
        Path scheduler = path.resolve("scheduler/scheduler_config.json");
        if (Files.isRegularFile(scheduler)) {
            SchedulerConfig c = SchedulerConfig.fromFile(scheduler);
            out.println("scheduler     " + c.className() + " " + c.values());
        }
        out.println("tokenizer     " + (Files.isDirectory(path.resolve("tokenizer")) ? "tokenizer/" : "none"));
    }

    private void controlNet(SafeTensors st, ControlNetLoader.SingleFile cn, PrintWriter out) {
        out.println("controlnet " + path.toAbsolutePath().normalize() + "  (" + st.names().size()
                + " tensors, A1111 layout" + (cn.prefix().isEmpty() ? "" : ", prefix " + cn.prefix()) + ")");
        out.println("hint encoder  " + cn.conditioningChannels() + " channels in, widths "
                + java.util.Arrays.toString(cn.hintWidths()));
        out.println("zero convs    " + cn.zeroConvs() + " (+ middle_block_out); encoder from the base model's UNet");
        out.println("model hash    " + ModelHashes.legacyShortHash(path) + " (sd-webui-controlnet's [hash])");
    }

    private void checkpoint(SafeTensors st, PrintWriter out) {
        out.println("checkpoint " + path.toAbsolutePath().normalize() + "  (" + st.names().size() + " tensors)");
        Map<String, Long> prefixes = st.names().stream().collect(Collectors.groupingBy(
                n -> n.contains(".") ? n.substring(0, n.indexOf('.')) : n, TreeMap::new, Collectors.counting()));
        out.println("key prefixes  " + prefixes);
        out.println("architecture  as inferred from the tensor shapes (--preset or --config-from override it):");
        architecture(ConfigInference.infer(st), out);
        out.println("model hash    " + ModelHashes.modelShortHash(ModelHashes.sha256(path)) + " (A1111)");
    }

    private static void architecture(ModelConfigs c, PrintWriter out) {
        var u = c.unet();
        out.printf("unet          channels %s, layers per block %s, heads %s, transformer depth %s, "
                        + "cross-attention %d, sample size %d, %s projections%n",
                Arrays.toString(u.blockOutChannels()), Arrays.toString(u.layersPerBlock()),
                Arrays.toString(u.numAttentionHeads()), Arrays.toString(u.transformerLayersPerBlock()),
                u.crossAttentionDim(), u.sampleSize(), u.useLinearProjection() ? "linear" : "1x1-conv");
        var t = c.textEncoder();
        out.printf("text encoder  %d layers, width %d, %d heads, MLP %d, %s, vocabulary %d, %d positions%n",
                t.numHiddenLayers(), t.hiddenSize(), t.numAttentionHeads(), t.intermediateSize(), t.hiddenAct(),
                t.vocabSize(), t.maxPositionEmbeddings());
        var v = c.vae();
        out.printf("vae           channels %s, %d latent channels, downscale %d, scaling factor %s%n",
                Arrays.toString(v.blockOutChannels()), v.latentChannels(), v.downscale(), v.scalingFactor());
        out.printf("default size  %dx%d%n", u.sampleSize() * v.downscale(), u.sampleSize() * v.downscale());
    }

    private static boolean isLora(SafeTensors st) {
        try {
            LoraLayout.detect(st.names());
            return true;
        } catch (IllegalArgumentException notLora) {
            return false;
        }
    }

    private void lora(SafeTensors st, PrintWriter out) {
        LoraLayout layout = LoraLayout.detect(st.names());
        out.println("LoRA " + path.toAbsolutePath().normalize() + "  (" + layout.name().toLowerCase() + " layout)");
        Map<String, Long> down = new TreeMap<>();
        Map<Long, Long> ranks = new TreeMap<>();
        for (String name : st.names()) {
            if (name.endsWith(layout == LoraLayout.KOHYA ? ".lora_down.weight" : ".lora_A.weight")
                    || name.endsWith(".down.weight") && layout == LoraLayout.PEFT) {
                boolean text = name.startsWith("lora_te") || name.startsWith("text_encoder");
                down.merge(text ? "text encoder" : "unet", 1L, Long::sum);
                ranks.merge(st.entry(name).shape().get(0), 1L, Long::sum);
            }
        }
        out.println("modules       " + down);
        out.println("ranks         " + ranks.keySet() + (ranks.size() > 1 ? " (modules per rank " + ranks + ")" : ""));
        Map<String, String> meta = st.metadata();
        for (String key : new String[]{"lora_alpha", "ss_network_alpha", "lora_rank", "ss_network_dim",
                "ss_base_model_version", "ss_sd_model_name"}) {
            if (meta.containsKey(key)) {
                out.printf("%-13s %s%n", key, meta.get(key));
            }
        }
        out.println("alpha tensors " + st.names().stream().filter(n -> n.endsWith(".alpha")).count());
        out.println("lora hash     " + ModelHashes.loraShortHash(path) + " (A1111 'Lora hashes')");
        out.println("metadata keys " + new TreeMap<>(meta).keySet());
    }
}
