package ai.booth.diffusion.vae;

import ai.booth.diffusion.io.JsonConfig;

import java.nio.file.Path;
import java.util.List;

/** diffusers' AutoencoderKL config with its defaults. */
public record AutoencoderKLConfig(int inChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                                  int latentChannels, int normNumGroups, int sampleSize, double scalingFactor,
                                  boolean forceUpcast) {

    public static AutoencoderKLConfig read(Path configJson) {
        return from(JsonConfig.read(configJson));
    }

    public static AutoencoderKLConfig from(JsonConfig c) {
        int[] channels = c.intList("block_out_channels", new int[] {64});
        checkTypes(c, "down_block_types", "DownEncoderBlock2D", channels.length);
        checkTypes(c, "up_block_types", "UpDecoderBlock2D", channels.length);
        c.unsupportedUnless("act_fn", null, "silu");
        c.unsupportedUnless("norm_type", null, "group");
        c.unsupportedUnless("use_quant_conv", null, true);
        c.unsupportedUnless("use_post_quant_conv", null, true);
        c.unsupportedUnless("mid_block_add_attention", null, true);
        c.unsupportedUnless("shift_factor", (Object) null);
        return new AutoencoderKLConfig(
                c.integer("in_channels", 3),
                c.integer("out_channels", 3),
                channels,
                c.integer("layers_per_block", 1),
                c.integer("latent_channels", 4),
                c.integer("norm_num_groups", 32),
                c.integer("sample_size", 32),
                c.number("scaling_factor", 0.18215),
                c.bool("force_upcast", true));
    }

    private static void checkTypes(JsonConfig c, String key, String type, int n) {
        List<String> types = c.strings(key, java.util.Collections.nCopies(n, type));
        if (types.size() != n || types.stream().anyMatch(t -> !t.equals(type))) {
            throw new IllegalArgumentException(c.source() + ": " + key + " must be " + n + " × " + type + " (one per "
                    + "block_out_channels entry), got " + types);
        }
    }

    /** Spatial factor between image and latents: 2^(levels − 1). */
    public int downscale() {
        return 1 << (blockOutChannels.length - 1);
    }
}
