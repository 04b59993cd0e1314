package ai.booth.diffusion.loader;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a Stable Diffusion model as one original-layout (CompVis LDM / A1111 / civitai) {@code .safetensors}: the
 * inverse of {@link LdmLayout}, whose rename tables it inverts. UNet blocks get true LDM numbering (each down level
 * takes its layers plus its downsampler, each up level its layers), which is what A1111 expects of SD-1.x / SD-2.x;
 * the VAE's attention projections become 1×1 convolutions. SD-1 text encoders (CLIP ViT-L) only: OpenCLIP's fused
 * layout is not written.
 */
public final class LdmExport {

    private static final Pattern DOWN = Pattern.compile("^down_blocks\\.(\\d+)\\.(resnets|attentions|downsamplers)\\.(\\d+)\\.(.+)$");
    private static final Pattern UP = Pattern.compile("^up_blocks\\.(\\d+)\\.(resnets|attentions|upsamplers)\\.(\\d+)\\.(.+)$");
    private static final Pattern MID = Pattern.compile("^mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)$");
    private static final Pattern VAE_BLOCK = Pattern.compile("^(encoder\\.down_blocks|decoder\\.up_blocks)\\.(\\d+)\\.(resnets|downsamplers|upsamplers)\\.(\\d+)\\.(.+)$");
    private static final Pattern VAE_MID = Pattern.compile("^(encoder|decoder)\\.mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)$");

    private LdmExport() {
    }

    /** Writes the model's three networks (weights as they are, in their own dtype) with {@code metadata}. */
    public static void write(StableDiffusionModel model, Path file, Map<String, String> metadata) {
        if (model.configs().textEncoder().hiddenAct().equals("gelu")) {
            throw new IllegalArgumentException("single-file export of SD-2 (OpenCLIP) text encoders is not supported; "
                    + "use the diffusers folder");
        }
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            model.textEncoder().parameters().forEach((k, v) -> out.put(LdmLayout.CLIP + k, v));
            long positions = model.configs().textEncoder().maxPositionEmbeddings();
            out.put(LdmLayout.CLIP + "text_model.embeddings.position_ids",
                    scratch.arange(0, positions, 1, DataType.INT64).reshape(1, positions));
            UNet2DConditionConfig unet = model.configs().unet();
            model.unet().parameters().forEach((k, v) -> out.put(LdmLayout.UNET + unetName(k, unet), v));
            int levels = model.configs().vae().blockOutChannels().length;
            model.vae().parameters().forEach((k, v) -> {
                String name = vaeName(k, levels);
                out.put(LdmLayout.VAE + name, name.contains(".attn_1.") && v.getShape().dimension() == 2
                        ? v.reshape(v.getShape().get(0), v.getShape().get(1), 1, 1) : v);
            });
            SafeTensors.write(file, out, metadata);
        }
    }

    /** The LDM name of a diffusers UNet key. */
    static String unetName(String key, UNet2DConditionConfig config) {
        int[] layers = config.layersPerBlock();
        Matcher m;
        if ((m = DOWN.matcher(key)).matches()) {
            int level = Integer.parseInt(m.group(1));
            int k = 1;
            for (int i = 0; i < level; i++) {
                k += layers[i] + 1;
            }
            int j = Integer.parseInt(m.group(3));
            return switch (m.group(2)) {
                case "resnets" -> "input_blocks." + (k + j) + ".0." + inverse(m.group(4), LdmLayout.RESNET);
                case "attentions" -> "input_blocks." + (k + j) + ".1." + m.group(4);
                default -> "input_blocks." + (k + layers[level]) + ".0." + inverse(m.group(4), LdmLayout.DOWNSAMPLER);
            };
        }
        if ((m = UP.matcher(key)).matches()) {
            int up = Integer.parseInt(m.group(1));
            int k = 0;
            for (int i = 0; i < up; i++) {
                k += layers[config.mirror(i)] + 1;
            }
            int j = Integer.parseInt(m.group(3));
            return switch (m.group(2)) {
                case "resnets" -> "output_blocks." + (k + j) + ".0." + inverse(m.group(4), LdmLayout.RESNET);
                case "attentions" -> "output_blocks." + (k + j) + ".1." + m.group(4);
                default -> "output_blocks." + (k + layers[config.mirror(up)]) + "."
                        + (config.crossAttentionUp(up) ? 2 : 1) + "." + m.group(4);
            };
        }
        if ((m = MID.matcher(key)).matches()) {
            boolean resnet = m.group(1).equals("resnets");
            int index = resnet ? 2 * Integer.parseInt(m.group(2)) : 1;
            return "middle_block." + index + "." + (resnet ? inverse(m.group(3), LdmLayout.RESNET) : m.group(3));
        }
        String top = inverse(key, LdmLayout.UNET_TOP);
        if (top.equals(key)) {
            throw new IllegalArgumentException("UNet weight " + key + " has no single-file (LDM) name");
        }
        return top;
    }

    /** The LDM name of a diffusers VAE key. */
    static String vaeName(String key, int levels) {
        Matcher m;
        if ((m = VAE_BLOCK.matcher(key)).matches()) {
            boolean encoder = m.group(1).startsWith("encoder");
            int index = Integer.parseInt(m.group(2));
            String level = encoder ? "encoder.down." + index : "decoder.up." + (levels - 1 - index);
            return switch (m.group(3)) {
                case "resnets" -> level + ".block." + m.group(4) + "." + inverse(m.group(5), LdmLayout.VAE_SHORTCUT);
                case "downsamplers" -> level + ".downsample." + m.group(5);
                default -> level + ".upsample." + m.group(5);
            };
        }
        if ((m = VAE_MID.matcher(key)).matches()) {
            String mid = m.group(1) + ".mid.";
            return m.group(2).equals("resnets") ? mid + "block_" + (Integer.parseInt(m.group(3)) + 1) + "." + m.group(4)
                    : mid + "attn_1." + inverse(m.group(4), LdmLayout.VAE_ATTENTION);
        }
        return inverse(key, LdmLayout.VAE_TOP);
    }

    /** {@code key} with its prefix renamed back by an LDM → diffusers table, or unchanged. */
    private static String inverse(String key, Map<String, String> ldmToDiffusers) {
        for (Map.Entry<String, String> e : ldmToDiffusers.entrySet()) {
            if (key.startsWith(e.getValue())) {
                return e.getKey() + key.substring(e.getValue().length());
            }
        }
        return key;
    }
}
