package ai.booth.diffusion.controlnet;

import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.List;

/**
 * diffusers' ControlNetModel config: the UNet encoder it copies (read as a {@link UNet2DConditionConfig}, whose
 * checks apply: the same options are unsupported) plus the conditioning embedding.
 *
 * @param unet                       the encoder's architecture (its up blocks are never built)
 * @param conditioningChannels       channels of the control image (3)
 * @param conditioningEmbeddingOutChannels the hint encoder's widths; each step after the first halves the size
 * @param bgr                        {@code controlnet_conditioning_channel_order == "bgr"}: channels flipped first
 * @param globalPoolConditions       residuals averaged over space (shuffle-style ControlNets; implies guess mode)
 */
public record ControlNetConfig(UNet2DConditionConfig unet, int conditioningChannels,
                               int[] conditioningEmbeddingOutChannels, boolean bgr, boolean globalPoolConditions) {

    public static ControlNetConfig read(Path configJson) {
        return from(JsonConfig.read(configJson));
    }

    public static ControlNetConfig from(JsonConfig c) {
        String order = c.string("controlnet_conditioning_channel_order", "rgb");
        if (!order.equals("rgb") && !order.equals("bgr")) {
            throw new IllegalArgumentException(c.source() + ": controlnet_conditioning_channel_order must be rgb or bgr, got "
                    + order);
        }
        return new ControlNetConfig(encoderConfig(c), c.integer("conditioning_channels", 3),
                c.intList("conditioning_embedding_out_channels", new int[] {16, 32, 96, 256}), order.equals("bgr"),
                c.bool("global_pool_conditions", false));
    }

    /**
     * The same config with its encoder replaced: a single-file ControlNet carries no config, and is (as A1111's
     * {@code cldm_v15.yaml} says) the base model's UNet encoder with a hint encoder read from the file's shapes.
     */
    public static ControlNetConfig of(UNet2DConditionConfig unet, int conditioningChannels, int[] hintChannels) {
        return new ControlNetConfig(unet, conditioningChannels, hintChannels, false, false);
    }

    /** A ControlNet config has no up blocks; the UNet config reader gets the mirror of the down blocks. */
    private static UNet2DConditionConfig encoderConfig(JsonConfig c) {
        ObjectNode node = ((ObjectNode) c.node()).deepCopy();
        List<String> down = c.strings("down_block_types", List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D", "DownBlock2D"));
        ArrayNode up = node.putArray("up_block_types");
        for (int i = down.size() - 1; i >= 0; i--) {
            up.add(down.get(i).equals("CrossAttnDownBlock2D") ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        node.remove("mid_block_type");  // always UNetMidBlock2DCrossAttn in a ControlNet
        return UNet2DConditionConfig.from(new JsonConfig(c.source(), node));
    }

    /** Image pixels per latent pixel: the hint encoder downsamples once per width after the first. */
    public int downscale() {
        return 1 << (conditioningEmbeddingOutChannels.length - 1);
    }
}
