package ai.booth.diffusion.unet;

import ai.booth.diffusion.io.JsonConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * diffusers' UNet2DConditionModel config: every option SD-1.x and SD-2.x use, with diffusers 0.21 defaults. Options
 * that would change the computation in ways this engine does not implement (class/addition embeddings, scale-shift
 * time norm, other block types, ...) are rejected when the config is read.
 *
 * <p>{@code numAttentionHeads} is resolved per down block: diffusers' {@code attention_head_dim} in SD configs is
 * really the number of heads (an int, or a per-block list as in SD-2's [5, 10, 20, 20]); {@code num_attention_heads}
 * wins when set. Per-block lists ({@code layersPerBlock}, {@code transformerLayersPerBlock}) are in down-block order.
 */
public record UNet2DConditionConfig(
        int sampleSize, int inChannels, int outChannels, boolean centerInputSample,
        boolean flipSinToCos, int freqShift,
        List<String> downBlockTypes, String midBlockType, List<String> upBlockTypes,
        int[] blockOutChannels, int[] layersPerBlock, int[] transformerLayersPerBlock, int[] numAttentionHeads,
        int downsamplePadding, double midBlockScaleFactor, String actFn, int normNumGroups, double normEps,
        int crossAttentionDim, boolean useLinearProjection, boolean upcastAttention, double resnetOutScaleFactor,
        int timeEmbeddingDim, int convInKernel, int convOutKernel) {

    static final Set<String> DOWN_TYPES = Set.of("CrossAttnDownBlock2D", "DownBlock2D");
    static final Set<String> UP_TYPES = Set.of("CrossAttnUpBlock2D", "UpBlock2D");

    public UNet2DConditionConfig {
        int n = blockOutChannels.length;
        if (downBlockTypes.size() != n || upBlockTypes.size() != n) {
            throw new IllegalArgumentException("UNet config: down_block_types (" + downBlockTypes.size()
                    + "), up_block_types (" + upBlockTypes.size() + ") and block_out_channels (" + n
                    + ") must have the same length");
        }
        for (String t : downBlockTypes) {
            if (!DOWN_TYPES.contains(t)) {
                throw new IllegalArgumentException("UNet config: unsupported down block type " + t + " (supported: "
                        + DOWN_TYPES + ")");
            }
        }
        for (String t : upBlockTypes) {
            if (!UP_TYPES.contains(t)) {
                throw new IllegalArgumentException("UNet config: unsupported up block type " + t + " (supported: "
                        + UP_TYPES + ")");
            }
        }
        if (midBlockType != null && !midBlockType.equals("UNetMidBlock2DCrossAttn")) {
            throw new IllegalArgumentException("UNet config: unsupported mid_block_type " + midBlockType
                    + " (supported: UNetMidBlock2DCrossAttn or null)");
        }
        for (int i = 0; i < n; i++) {
            if (blockOutChannels[i] % normNumGroups != 0) {
                throw new IllegalArgumentException("UNet config: block_out_channels[" + i + "] = " + blockOutChannels[i]
                        + " is not divisible by norm_num_groups " + normNumGroups);
            }
            if (blockOutChannels[i] % numAttentionHeads[i] != 0) {
                throw new IllegalArgumentException("UNet config: block_out_channels[" + i + "] = " + blockOutChannels[i]
                        + " is not divisible by its " + numAttentionHeads[i] + " attention heads");
            }
        }
        if (!actFn.equals("silu")) {
            throw new IllegalArgumentException("UNet config: act_fn " + actFn + " is not supported (silu)");
        }
    }

    public static UNet2DConditionConfig read(Path configJson) {
        return from(JsonConfig.read(configJson));
    }

    public static UNet2DConditionConfig from(JsonConfig c) {
        for (String key : List.of("class_embed_type", "num_class_embeds", "addition_embed_type", "encoder_hid_dim",
                "encoder_hid_dim_type", "time_cond_proj_dim", "time_embedding_act_fn", "timestep_post_act",
                "cross_attention_norm", "projection_class_embeddings_input_dim")) {
            c.unsupportedUnless(key, (Object) null);
        }
        c.unsupportedUnless("time_embedding_type", null, "positional");
        c.unsupportedUnless("resnet_time_scale_shift", null, "default");
        c.unsupportedUnless("attention_type", null, "default");
        c.unsupportedUnless("dual_cross_attention", null, false);
        c.unsupportedUnless("only_cross_attention", null, false);
        c.unsupportedUnless("resnet_skip_time_act", null, false);
        c.unsupportedUnless("class_embeddings_concat", null, false);
        if (c.has("cross_attention_dim") && c.node().get("cross_attention_dim").isArray()) {
            throw new IllegalArgumentException(c.source() + ": per-block cross_attention_dim lists are not supported");
        }
        List<String> down = c.strings("down_block_types", List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D", "DownBlock2D"));
        int n = down.size();
        int[] channels = c.intList("block_out_channels", new int[] {320, 640, 1280, 1280});
        int[] heads = c.has("num_attention_heads") ? c.ints("num_attention_heads", 8, n) : c.ints("attention_head_dim", 8, n);
        int timeDim = c.integer("time_embedding_dim", channels.length > 0 ? channels[0] * 4 : 0);
        return new UNet2DConditionConfig(
                c.integer("sample_size", 64),
                c.integer("in_channels", 4),
                c.integer("out_channels", 4),
                c.bool("center_input_sample", false),
                c.bool("flip_sin_to_cos", true),
                c.integer("freq_shift", 0),
                down,
                c.has("mid_block_type") ? c.string("mid_block_type", null)
                        : c.node().has("mid_block_type") ? null : "UNetMidBlock2DCrossAttn",
                c.strings("up_block_types", List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                        "CrossAttnUpBlock2D")),
                channels,
                c.ints("layers_per_block", 2, n),
                c.ints("transformer_layers_per_block", 1, n),
                heads,
                c.integer("downsample_padding", 1),
                c.number("mid_block_scale_factor", 1.0),
                c.string("act_fn", "silu"),
                c.integer("norm_num_groups", 32),
                c.number("norm_eps", 1e-5),
                c.integer("cross_attention_dim", 1280),
                c.bool("use_linear_projection", false),
                c.bool("upcast_attention", false),
                c.number("resnet_out_scale_factor", 1.0),
                timeDim,
                c.integer("conv_in_kernel", 3),
                c.integer("conv_out_kernel", 3));
    }

    public int blocks() {
        return blockOutChannels.length;
    }

    public boolean crossAttentionDown(int i) {
        return downBlockTypes.get(i).equals("CrossAttnDownBlock2D");
    }

    /** Up block {@code i} (0 = lowest resolution) is a cross-attention block. */
    public boolean crossAttentionUp(int i) {
        return upBlockTypes.get(i).equals("CrossAttnUpBlock2D");
    }

    /** Down block index that up block {@code i} mirrors. */
    public int mirror(int up) {
        return blocks() - 1 - up;
    }
}
