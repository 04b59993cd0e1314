package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextConfig;
import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.booth.diffusion.vae.AutoencoderKLConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what tensor shapes tell about a single-file checkpoint's architecture and fills the rest from SD
 * conventions. Read from shapes: UNet in/out channels and kernels, block channels, layers per block, which levels
 * have attention, transformer depth, cross-attention width, linear vs conv projection; VAE channels, layers, latent
 * channels; text encoder width, depth, MLP width, vocabulary and positions, OpenAI CLIP vs OpenCLIP. Not readable:
 * attention head counts (SD-2 style — OpenCLIP text or linear projection — gets head_dim 64, i.e. channels/64 heads
 * per level; SD-1 style gets 8 heads everywhere; text encoders get width/64 heads), norm groups (32), eps,
 * upcast_attention (false: SD-2.1-v needs preset {@code sd2}), VAE scaling factor (0.18215).
 */
public final class ConfigInference {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigInference() {
    }

    public static ModelConfigs infer(SafeTensors file) {
        boolean openClip = LdmLayout.isOpenClip(file);
        CLIPTextConfig text = CLIPTextConfig.from(new JsonConfig(file.file() + " (inferred text_encoder)",
                textEncoder(file, openClip)));
        UNet2DConditionConfig unet = UNet2DConditionConfig.from(new JsonConfig(file.file() + " (inferred unet)",
                unet(file, openClip)));
        AutoencoderKLConfig vae = AutoencoderKLConfig.from(new JsonConfig(file.file() + " (inferred vae)", vae(file)));
        return new ModelConfigs(text, unet, vae);
    }

    private static long[] shape(SafeTensors file, String key) {
        if (!file.contains(key)) {
            throw new CheckpointException(file.file() + ": cannot infer the architecture, missing " + key);
        }
        return file.entry(key).shape().getShape();
    }

    private static int count(SafeTensors file, Pattern pattern) {
        return (int) file.names().stream().map(pattern::matcher).filter(Matcher::matches)
                .map(m -> m.group(1)).distinct().count();
    }

    static ObjectNode unet(SafeTensors file, boolean openClip) {
        String p = LdmLayout.UNET;
        long[] convIn = shape(file, p + "input_blocks.0.0.weight");
        long[] convOut = shape(file, p + "out.2.weight");
        List<Integer> channels = new ArrayList<>();
        List<Integer> layers = new ArrayList<>();
        List<Boolean> attention = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        int depth = 0;
        long contextDim = -1;
        boolean linear = false;
        int resnets = 0;
        boolean levelHasAttention = false;
        int levelChannels = 0;
        for (LdmLayout.Group g : LdmLayout.groups(file, "input_blocks")) {
            switch (g.kind()) {
                case RESNET -> {
                    resnets++;
                    levelChannels = (int) file.entry(g.keys().get("in_layers.2.weight")).shape().get(0);
                }
                case ATTENTION -> {
                    levelHasAttention = true;
                    depth = Math.max(depth, (int) g.keys().keySet().stream()
                            .filter(k -> k.startsWith("transformer_blocks."))
                            .map(k -> k.split("\\.")[1]).distinct().count());
                    contextDim = file.entry(g.keys().get("transformer_blocks.0.attn2.to_k.weight")).shape().get(1);
                    linear = file.entry(g.keys().get("proj_in.weight")).shape().dimension() == 2;
                }
                case DOWNSAMPLE -> {
                    channels.add(levelChannels);
                    layers.add(resnets);
                    attention.add(levelHasAttention);
                    depths.add(depth);
                    resnets = 0;
                    depth = 0;
                    levelHasAttention = false;
                }
                default -> throw new CheckpointException(file.file() + ": cannot infer the UNet, unrecognised module "
                        + LdmLayout.UNET + g.prefix() + " " + g.keys().keySet());
            }
        }
        channels.add(levelChannels);
        layers.add(resnets);
        attention.add(levelHasAttention);
        depths.add(depth);
        // levels without attention have no depth; give them the deepest one so uniform configs read back as such
        int deepest = Math.max(1, depths.stream().mapToInt(Integer::intValue).max().orElse(1));
        List<Boolean> upAttention = new ArrayList<>();
        boolean upLevelAttention = false;
        for (LdmLayout.Group g : LdmLayout.groups(file, "output_blocks")) {
            if (g.kind() == LdmLayout.Kind.ATTENTION) {
                upLevelAttention = true;
            } else if (g.kind() == LdmLayout.Kind.UPSAMPLE) {
                upAttention.add(upLevelAttention);
                upLevelAttention = false;
            }
        }
        upAttention.add(upLevelAttention);
        boolean sd2 = openClip || linear;

        ObjectNode c = JSON.createObjectNode();
        c.put("in_channels", convIn[1]);
        c.put("conv_in_kernel", convIn[2]);
        c.put("out_channels", convOut[0]);
        c.put("conv_out_kernel", convOut[2]);
        ArrayNode ch = c.putArray("block_out_channels");
        ArrayNode heads = c.putArray("attention_head_dim");
        ArrayNode lpb = c.putArray("layers_per_block");
        ArrayNode down = c.putArray("down_block_types");
        ArrayNode up = c.putArray("up_block_types");
        ArrayNode transformerDepth = c.putArray("transformer_layers_per_block");
        for (int i = 0; i < channels.size(); i++) {
            ch.add(channels.get(i));
            transformerDepth.add(depths.get(i) > 0 ? depths.get(i) : deepest);
            heads.add(sd2 ? Math.max(1, channels.get(i) / 64) : 8);
            lpb.add(layers.get(i));
            down.add(attention.get(i) ? "CrossAttnDownBlock2D" : "DownBlock2D");
            up.add(i < upAttention.size() && upAttention.get(i) ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        c.put("cross_attention_dim", contextDim > 0 ? contextDim : 768);
        c.put("use_linear_projection", linear);
        if (!file.names().stream().anyMatch(k -> k.startsWith(LdmLayout.UNET + "middle_block."))) {
            c.putNull("mid_block_type");
        }
        return c;
    }

    private static final Pattern VAE_DOWN_LEVEL = Pattern.compile("^first_stage_model\\.encoder\\.down\\.(\\d+)\\..*");
    private static final Pattern VAE_LEVEL0_BLOCK = Pattern.compile("^first_stage_model\\.encoder\\.down\\.0\\.block\\.(\\d+)\\..*");

    static ObjectNode vae(SafeTensors file) {
        String p = LdmLayout.VAE;
        int levels = count(file, VAE_DOWN_LEVEL);
        ObjectNode c = JSON.createObjectNode();
        c.put("in_channels", shape(file, p + "encoder.conv_in.weight")[1]);
        c.put("out_channels", shape(file, p + "decoder.conv_out.weight")[0]);
        c.put("latent_channels", shape(file, p + "post_quant_conv.weight")[0]);
        c.put("layers_per_block", count(file, VAE_LEVEL0_BLOCK));
        ArrayNode ch = c.putArray("block_out_channels");
        ArrayNode down = c.putArray("down_block_types");
        ArrayNode up = c.putArray("up_block_types");
        for (int i = 0; i < levels; i++) {
            ch.add(shape(file, p + "encoder.down." + i + ".block.0.conv1.weight")[0]);
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        return c;
    }

    private static final Pattern CLIP_LAYER = Pattern.compile("^cond_stage_model\\.transformer\\.(?:text_model\\.)?encoder\\.layers\\.(\\d+)\\..*");
    private static final Pattern OPEN_CLIP_LAYER = Pattern.compile("^cond_stage_model\\.model\\.transformer\\.resblocks\\.(\\d+)\\..*");

    static ObjectNode textEncoder(SafeTensors file, boolean openClip) {
        ObjectNode c = JSON.createObjectNode();
        long[] tokens;
        long[] positions;
        long[] fc1;
        int layers;
        if (openClip) {
            String p = LdmLayout.OPEN_CLIP;
            tokens = shape(file, p + "token_embedding.weight");
            positions = shape(file, p + "positional_embedding");
            fc1 = shape(file, p + "transformer.resblocks.0.mlp.c_fc.weight");
            layers = count(file, OPEN_CLIP_LAYER) - 1;
            c.put("hidden_act", "gelu");
        } else {
            String p = file.contains(LdmLayout.CLIP + "text_model.embeddings.token_embedding.weight")
                    ? LdmLayout.CLIP + "text_model." : LdmLayout.CLIP;
            tokens = shape(file, p + "embeddings.token_embedding.weight");
            positions = shape(file, p + "embeddings.position_embedding.weight");
            fc1 = shape(file, p + "encoder.layers.0.mlp.fc1.weight");
            layers = count(file, CLIP_LAYER);
            c.put("hidden_act", "quick_gelu");
        }
        c.put("vocab_size", tokens[0]);
        c.put("hidden_size", tokens[1]);
        c.put("num_attention_heads", Math.max(1, tokens[1] / 64));
        c.put("max_position_embeddings", positions[0]);
        c.put("intermediate_size", fc1[0]);
        c.put("num_hidden_layers", layers);
        return c;
    }
}
