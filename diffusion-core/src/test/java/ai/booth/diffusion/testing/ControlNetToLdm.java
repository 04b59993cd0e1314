package ai.booth.diffusion.testing;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a diffusers ControlNet folder as the single file A1111 users download: the original ControlNet code's
 * names with true LDM numbering ({@code input_blocks.K.0} resnet / {@code .1} attention, one K per layer and per
 * downsampler), {@code zero_convs.N.0}, {@code middle_block_out.0}, {@code input_hint_block.I} (convs at even I),
 * optionally under a prefix such as {@code control_model.}. Independent of the engine's mapping, so loading the
 * result proves that mapping.
 */
public final class ControlNetToLdm {

    private static final Pattern DOWN = Pattern.compile("^down_blocks\\.(\\d+)\\.(resnets|attentions|downsamplers)\\.(\\d+)\\.(.+)$");
    private static final Map<String, String> RESNET = Map.of("norm1.", "in_layers.0.", "conv1.", "in_layers.2.",
            "time_emb_proj.", "emb_layers.1.", "norm2.", "out_layers.0.", "conv2.", "out_layers.3.",
            "conv_shortcut.", "skip_connection.");

    private ControlNetToLdm() {
    }

    public static void write(Path folder, UNet2DConditionConfig unet, Path out, String prefix) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             SafeTensors file = SafeTensors.open(folder.resolve("diffusion_pytorch_model.safetensors"))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            int hintConvs = (int) file.names().stream()
                    .filter(k -> k.startsWith("controlnet_cond_embedding.blocks.") && k.endsWith(".weight")).count();
            for (String key : file.names()) {
                tensors.put(prefix + ldmName(key, unet, hintConvs), file.load(key, m));
            }
            SafeTensors.write(out, tensors, Map.of());
        }
    }

    static String ldmName(String key, UNet2DConditionConfig unet, int hintBlocks) {
        Matcher d = DOWN.matcher(key);
        if (d.matches()) {
            int level = Integer.parseInt(d.group(1));
            int index = Integer.parseInt(d.group(3));
            int k = 1;
            for (int i = 0; i < level; i++) {
                k += unet.layersPerBlock()[i] + 1;
            }
            return switch (d.group(2)) {
                case "resnets" -> "input_blocks." + (k + index) + ".0." + rename(d.group(4), RESNET);
                case "attentions" -> "input_blocks." + (k + index) + ".1." + d.group(4);
                default -> "input_blocks." + (k + unet.layersPerBlock()[level]) + ".0.op." + d.group(4).substring(5);
            };
        }
        String[][] prefixes = {
                {"mid_block.resnets.0.", "middle_block.0."}, {"mid_block.attentions.0.", "middle_block.1."},
                {"mid_block.resnets.1.", "middle_block.2."}, {"conv_in.", "input_blocks.0.0."},
                {"time_embedding.linear_1.", "time_embed.0."}, {"time_embedding.linear_2.", "time_embed.2."},
                {"controlnet_mid_block.", "middle_block_out.0."},
                {"controlnet_cond_embedding.conv_in.", "input_hint_block.0."},
                {"controlnet_cond_embedding.conv_out.", "input_hint_block." + 2 * (hintBlocks + 1) + "."}};
        for (String[] p : prefixes) {
            if (key.startsWith(p[0])) {
                String rest = key.substring(p[0].length());
                return p[1] + (p[0].startsWith("mid_block.resnets") ? rename(rest, RESNET) : rest);
            }
        }
        Matcher z = Pattern.compile("^controlnet_down_blocks\\.(\\d+)\\.(.+)$").matcher(key);
        if (z.matches()) {
            return "zero_convs." + z.group(1) + ".0." + z.group(2);
        }
        Matcher h = Pattern.compile("^controlnet_cond_embedding\\.blocks\\.(\\d+)\\.(.+)$").matcher(key);
        if (h.matches()) {
            return "input_hint_block." + 2 * (Integer.parseInt(h.group(1)) + 1) + "." + h.group(2);
        }
        throw new IllegalArgumentException("no LDM name for " + key);
    }

    private static String rename(String rest, Map<String, String> table) {
        for (Map.Entry<String, String> e : table.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                return e.getValue() + rest.substring(e.getKey().length());
            }
        }
        return rest;
    }

    /** The base model's UNet config, from which a single-file ControlNet takes its encoder. */
    public static UNet2DConditionConfig baseUnet(Reference ref) {
        return UNet2DConditionConfig.read(ref.modelDir().resolve("unet/config.json"));
    }

}
