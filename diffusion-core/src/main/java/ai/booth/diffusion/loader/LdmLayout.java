package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextConfig;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.booth.diffusion.vae.AutoencoderKLConfig;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps an original-layout (CompVis LDM / A1111 / civitai) single-file checkpoint onto diffusers key names, per
 * component: {@code model.diffusion_model.*} (UNet), {@code first_stage_model.*} (VAE),
 * {@code cond_stage_model.transformer.*} (CLIP, SD-1) or {@code cond_stage_model.model.*} (OpenCLIP, SD-2).
 * Keys a mapping cannot place keep their original name, so the model reports them as unexpected.
 *
 * <p>UNet blocks are matched by order, not by index: the numbered {@code input_blocks}/{@code output_blocks}
 * sub-modules are classified (resnet, attention, down/upsampler) and assigned, in numeric order, to the sequence of
 * modules the config implies. That handles true LDM numbering and the gapped numbering diffusers' converter writes
 * for layers_per_block ≠ 2.
 */
final class LdmLayout {

    static final String UNET = "model.diffusion_model.";
    static final String VAE = "first_stage_model.";
    static final String CLIP = "cond_stage_model.transformer.";
    static final String OPEN_CLIP = "cond_stage_model.model.";

    enum Kind { RESNET, ATTENTION, DOWNSAMPLE, UPSAMPLE, OTHER }

    /** One numbered sub-module, e.g. {@code input_blocks.4.1}: its keys relative to it. */
    record Group(String prefix, Kind kind, Map<String, String> keys) { }

    private static final Pattern NUMBERED = Pattern.compile("^(input_blocks|output_blocks)\\.(\\d+)\\.(\\d+)\\.(.+)$");
    private static final Pattern MIDDLE = Pattern.compile("^middle_block\\.(\\d+)\\.(.+)$");

    private LdmLayout() {
    }

    static boolean isOpenClip(SafeTensors file) {
        return file.names().stream().anyMatch(k -> k.startsWith(OPEN_CLIP));
    }

    // ---------------------------------------------------------------------------------------------------- UNet

    /** The numbered sub-modules of {@code input_blocks} (without conv_in), {@code middle_block} or {@code output_blocks}. */
    static List<Group> groups(SafeTensors file, String section) {
        return groups(file, UNET, section);
    }

    /** The same under any prefix (a ControlNet's {@code control_model.} or none). */
    static List<Group> groups(SafeTensors file, String root, String section) {
        Map<List<Integer>, Map<String, String>> byIndex = new TreeMap<>(
                Comparator.<List<Integer>>comparingInt(l -> l.get(0)).thenComparingInt(l -> l.get(1)));
        for (String key : file.names()) {
            if (!key.startsWith(root)) {
                continue;
            }
            String rest = key.substring(root.length());
            Matcher m = NUMBERED.matcher(rest);
            Matcher mid = MIDDLE.matcher(rest);
            if (m.matches() && m.group(1).equals(section) && !rest.startsWith("input_blocks.0.0.")) {
                byIndex.computeIfAbsent(List.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))),
                        k -> new LinkedHashMap<>()).put(m.group(4), key);
            } else if (mid.matches() && section.equals("middle_block")) {
                byIndex.computeIfAbsent(List.of(Integer.parseInt(mid.group(1)), 0), k -> new LinkedHashMap<>())
                        .put(mid.group(2), key);
            }
        }
        List<Group> groups = new ArrayList<>();
        byIndex.forEach((index, keys) -> {
            String prefix = section.equals("middle_block") ? section + "." + index.get(0)
                    : section + "." + index.get(0) + "." + index.get(1);
            groups.add(new Group(prefix, kind(keys.keySet()), keys));
        });
        return groups;
    }

    private static Kind kind(java.util.Set<String> keys) {
        if (keys.stream().anyMatch(k -> k.startsWith("in_layers."))) {
            return Kind.RESNET;
        }
        if (keys.stream().anyMatch(k -> k.startsWith("proj_in.") || k.startsWith("transformer_blocks."))) {
            return Kind.ATTENTION;
        }
        if (keys.stream().allMatch(k -> k.startsWith("op."))) {
            return Kind.DOWNSAMPLE;
        }
        if (keys.stream().allMatch(k -> k.startsWith("conv."))) {
            return Kind.UPSAMPLE;
        }
        return Kind.OTHER;
    }

    record Slot(Kind kind, String target) { }

    static Map<String, TensorSource> unet(SafeTensors file, UNet2DConditionConfig config) {
        Map<String, TensorSource> out = encoder(file, UNET, config);
        int n = config.blocks();
        List<Slot> up = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= config.layersPerBlock()[config.mirror(i)]; j++) {
                up.add(new Slot(Kind.RESNET, "up_blocks." + i + ".resnets." + j));
                if (config.crossAttentionUp(i)) {
                    up.add(new Slot(Kind.ATTENTION, "up_blocks." + i + ".attentions." + j));
                }
            }
            if (i < n - 1) {
                up.add(new Slot(Kind.UPSAMPLE, "up_blocks." + i + ".upsamplers.0"));
            }
        }
        assign(file, groups(file, "output_blocks"), up, out);
        for (String key : file.names()) {
            if (key.startsWith(UNET) && !isNumbered(key.substring(UNET.length()))) {
                out.put(rename(key.substring(UNET.length()), UNET_TOP), TensorSource.of(file, key));
            }
        }
        return out;
    }

    /**
     * The encoder half under {@code root}: {@code input_blocks} (without conv_in) onto the down blocks and
     * {@code middle_block} onto the mid block, by order as for a UNet. Shared by UNets and ControlNets.
     */
    static Map<String, TensorSource> encoder(SafeTensors file, String root, UNet2DConditionConfig config) {
        Map<String, TensorSource> out = new LinkedHashMap<>();
        int n = config.blocks();
        List<Slot> down = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < config.layersPerBlock()[i]; j++) {
                down.add(new Slot(Kind.RESNET, "down_blocks." + i + ".resnets." + j));
                if (config.crossAttentionDown(i)) {
                    down.add(new Slot(Kind.ATTENTION, "down_blocks." + i + ".attentions." + j));
                }
            }
            if (i < n - 1) {
                down.add(new Slot(Kind.DOWNSAMPLE, "down_blocks." + i + ".downsamplers.0"));
            }
        }
        List<Slot> mid = List.of(new Slot(Kind.RESNET, "mid_block.resnets.0"),
                new Slot(Kind.ATTENTION, "mid_block.attentions.0"), new Slot(Kind.RESNET, "mid_block.resnets.1"));
        assign(file, groups(file, root, "input_blocks"), down, out);
        assign(file, groups(file, root, "middle_block"), config.midBlockType() == null ? List.of() : mid, out);
        return out;
    }

    /** Whether {@code rest} (a key without its root) belongs to a numbered block the order-matching places. */
    static boolean isNumberedEncoder(String rest) {
        return isNumbered(rest) && !rest.startsWith("output_blocks.");
    }

    private static boolean isNumbered(String rest) {
        return (NUMBERED.matcher(rest).matches() && !rest.startsWith("input_blocks.0.0."))
                || MIDDLE.matcher(rest).matches();
    }

    /** LDM → diffusers module prefixes (each table's prefixes exclude one another). */
    static final Map<String, String> UNET_TOP = Map.of("input_blocks.0.0.", "conv_in.",
            "time_embed.0.", "time_embedding.linear_1.", "time_embed.2.", "time_embedding.linear_2.",
            "out.0.", "conv_norm_out.", "out.2.", "conv_out.");
    static final Map<String, String> RESNET = Map.of("in_layers.0.", "norm1.", "in_layers.2.", "conv1.",
            "emb_layers.1.", "time_emb_proj.", "out_layers.0.", "norm2.", "out_layers.3.", "conv2.",
            "skip_connection.", "conv_shortcut.");
    static final Map<String, String> DOWNSAMPLER = Map.of("op.", "conv.");
    static final Map<String, String> VAE_SHORTCUT = Map.of("nin_shortcut.", "conv_shortcut.");
    static final Map<String, String> VAE_TOP = Map.of("encoder.norm_out.", "encoder.conv_norm_out.",
            "decoder.norm_out.", "decoder.conv_norm_out.");
    static final Map<String, String> VAE_ATTENTION = Map.of("norm.", "group_norm.", "q.", "to_q.",
            "k.", "to_k.", "v.", "to_v.", "proj_out.", "to_out.0.");
    private static final Map<String, String> OPEN_CLIP_LAYER = Map.of("ln_1.", "layer_norm1.", "ln_2.", "layer_norm2.",
            "attn.out_proj.", "self_attn.out_proj.", "mlp.c_fc.", "mlp.fc1.", "mlp.c_proj.", "mlp.fc2.");

    /** {@code key} with its prefix renamed by the table, or unchanged when no prefix matches. */
    static String rename(String key, Map<String, String> prefixes) {
        for (Map.Entry<String, String> e : prefixes.entrySet()) {
            if (key.startsWith(e.getKey())) {
                return e.getValue() + key.substring(e.getKey().length());
            }
        }
        return key;
    }

    /** Walks groups and slots in order, placing each group in the next slot of its kind; leftovers keep their names. */
    private static void assign(SafeTensors file, List<Group> groups, List<Slot> slots, Map<String, TensorSource> out) {
        int g = 0;
        for (Slot slot : slots) {
            if (g < groups.size() && groups.get(g).kind() == slot.kind()) {
                Group group = groups.get(g++);
                Map<String, String> renames = slot.kind() == Kind.RESNET ? RESNET
                        : slot.kind() == Kind.DOWNSAMPLE ? DOWNSAMPLER : Map.of();
                group.keys().forEach((rel, key) -> out.put(slot.target() + "." + rename(rel, renames),
                        TensorSource.of(file, key)));
            }
        }
        for (; g < groups.size(); g++) {
            groups.get(g).keys().values().forEach(key -> out.put(key, TensorSource.of(file, key)));
        }
    }

    // ---------------------------------------------------------------------------------------------------- VAE

    private static final Pattern VAE_RESNET = Pattern.compile("^(encoder\\.down|decoder\\.up)\\.(\\d+)\\.block\\.(\\d+)\\.(.+)$");
    private static final Pattern VAE_SAMPLER = Pattern.compile("^(encoder\\.down|decoder\\.up)\\.(\\d+)\\.(downsample|upsample)\\.(.+)$");
    private static final Pattern VAE_MID = Pattern.compile("^(encoder|decoder)\\.mid\\.(block_1|block_2|attn_1)\\.(.+)$");

    static Map<String, TensorSource> vae(SafeTensors file, AutoencoderKLConfig config) {
        int n = config.blockOutChannels().length;
        Map<String, TensorSource> out = new LinkedHashMap<>();
        for (String key : file.names()) {
            if (!key.startsWith(VAE)) {
                continue;
            }
            String rest = key.substring(VAE.length());
            TensorSource src = TensorSource.of(file, key);
            Matcher m;
            if ((m = VAE_RESNET.matcher(rest)).matches()) {
                out.put(vaeLevel(m.group(1), Integer.parseInt(m.group(2)), n) + ".resnets." + m.group(3) + "."
                        + rename(m.group(4), VAE_SHORTCUT), src);
            } else if ((m = VAE_SAMPLER.matcher(rest)).matches()) {
                String sampler = m.group(3).equals("downsample") ? ".downsamplers.0." : ".upsamplers.0.";
                out.put(vaeLevel(m.group(1), Integer.parseInt(m.group(2)), n) + sampler + m.group(4), src);
            } else if ((m = VAE_MID.matcher(rest)).matches()) {
                String mid = m.group(1) + ".mid_block.";
                switch (m.group(2)) {
                    case "block_1" -> out.put(mid + "resnets.0." + m.group(3), src);
                    case "block_2" -> out.put(mid + "resnets.1." + m.group(3), src);
                    default -> out.put(mid + "attentions.0." + rename(m.group(3), VAE_ATTENTION), asLinear(src));
                }
            } else {
                out.put(rename(rest, VAE_TOP), src);
            }
        }
        return out;
    }

    /** LDM numbers decoder levels from the highest resolution; diffusers' up_blocks start at the lowest. */
    private static String vaeLevel(String part, int index, int levels) {
        return part.equals("encoder.down") ? "encoder.down_blocks." + index
                : "decoder.up_blocks." + (levels - 1 - index);
    }

    /** LDM's VAE attention uses 1×1 convs ([C, C, 1, 1]); diffusers uses linears ([C, C]). */
    private static TensorSource asLinear(TensorSource src) {
        long[] s = src.shape().getShape();
        return s.length == 4 && s[2] == 1 && s[3] == 1 ? TensorSource.reshaped(src, new Shape(s[0], s[1])) : src;
    }

    // ---------------------------------------------------------------------------------------------------- CLIP

    static Map<String, TensorSource> clip(SafeTensors file) {
        Map<String, TensorSource> out = new LinkedHashMap<>();
        for (String key : file.names()) {
            if (key.startsWith(CLIP)) {
                String rest = key.substring(CLIP.length());
                out.put(rest.startsWith("text_model.") ? rest : "text_model." + rest, TensorSource.of(file, key));
            }
        }
        return out;
    }

    private static final Pattern RESBLOCK = Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\.(.+)$");

    /**
     * OpenCLIP (SD-2) text tower to transformers' CLIP names: fused {@code in_proj} split into q/k/v. Layers beyond
     * {@code config.numHiddenLayers()} (SD-2 conditions on the penultimate layer, so diffusers keeps 23 of 24) and
     * the unused {@code text_projection}/{@code logit_scale} are dropped.
     */
    static Map<String, TensorSource> openClip(SafeTensors file, CLIPTextConfig config) {
        Map<String, TensorSource> out = new LinkedHashMap<>();
        String t = "text_model.";
        for (String key : file.names()) {
            if (!key.startsWith(OPEN_CLIP)) {
                continue;
            }
            String rest = key.substring(OPEN_CLIP.length());
            TensorSource src = TensorSource.of(file, key);
            Matcher m = RESBLOCK.matcher(rest);
            if (m.matches()) {
                int layer = Integer.parseInt(m.group(1));
                if (layer >= config.numHiddenLayers()) {
                    continue;
                }
                String p = t + "encoder.layers." + layer + ".";
                String rel = m.group(2);
                if (rel.startsWith("attn.in_proj_")) {
                    String kind = rel.endsWith("weight") ? "weight" : "bias";
                    long d = src.shape().get(0) / 3;
                    out.put(p + "self_attn.q_proj." + kind, TensorSource.rows(src, 0, d));
                    out.put(p + "self_attn.k_proj." + kind, TensorSource.rows(src, d, 2 * d));
                    out.put(p + "self_attn.v_proj." + kind, TensorSource.rows(src, 2 * d, 3 * d));
                } else {
                    out.put(p + rename(rel, OPEN_CLIP_LAYER), src);
                }
            } else if (rest.equals("token_embedding.weight")) {
                out.put(t + "embeddings.token_embedding.weight", src);
            } else if (rest.equals("positional_embedding")) {
                out.put(t + "embeddings.position_embedding.weight", src);
            } else if (rest.startsWith("ln_final.")) {
                out.put(t + "final_layer_norm." + rest.substring("ln_final.".length()), src);
            } else if (!rest.equals("text_projection") && !rest.equals("logit_scale")) {
                out.put(key, src);
            }
        }
        return out;
    }
}
