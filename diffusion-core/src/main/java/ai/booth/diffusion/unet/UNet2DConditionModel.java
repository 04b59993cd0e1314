package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.GroupNorm;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.LoraTarget;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StageTape;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * diffusers' UNet2DConditionModel for SD-1.x/2.x configs: predicts the noise (or v) of a latent batch at given
 * timesteps, conditioned on text embeddings. Built from its config and weights under diffusers' key names; owns
 * the manager holding them.
 */
public final class UNet2DConditionModel implements AutoCloseable {

    private final UNet2DConditionConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Conv2d convIn;
    private final List<DownBlock2D> downBlocks = new ArrayList<>();
    private final UNetMidBlock2DCrossAttn midBlock;
    private final List<UpBlock2D> upBlocks = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv2d convOut;
    private final Map<String, Linear> linears;
    private final Map<String, LoraTarget> loraTargets;
    private final Map<String, NDArray> parameters;

    public UNet2DConditionModel(UNet2DConditionConfig config, StateDict w) {
        this.config = config;
        this.manager = w.manager();
        this.dtype = w.dtype();
        int[] ch = config.blockOutChannels();
        int n = config.blocks();
        int groups = config.normNumGroups();
        float eps = (float) config.normEps();
        int temb = config.timeEmbeddingDim();
        this.timeProj = new Timesteps(manager, ch[0], config.flipSinToCos(), config.freqShift());
        this.timeEmbedding = new TimestepEmbedding(w.at("time_embedding"), ch[0], temb);
        this.convIn = Conv2d.same(w.at("conv_in"), config.inChannels(), ch[0], config.convInKernel());

        for (int i = 0; i < n; i++) {
            StateDict b = w.at("down_blocks." + i);
            long in = i == 0 ? ch[0] : ch[i - 1];
            boolean last = i == n - 1;
            int layers = config.layersPerBlock()[i];
            downBlocks.add(config.crossAttentionDown(i)
                    ? new CrossAttnDownBlock2D(b, in, ch[i], layers, temb, groups, eps, !last,
                            config.downsamplePadding(), spec(i))
                    : new DownBlock2D(b, in, ch[i], layers, temb, groups, eps, !last, config.downsamplePadding()));
        }
        this.midBlock = config.midBlockType() == null ? null : new UNetMidBlock2DCrossAttn(w.at("mid_block"),
                ch[n - 1], temb, groups, eps, config.midBlockScaleFactor(), spec(n - 1));
        for (int i = 0; i < n; i++) {
            StateDict b = w.at("up_blocks." + i);
            int level = config.mirror(i);
            long prev = ch[config.mirror(Math.max(i - 1, 0))];
            long skipIn = ch[Math.max(level - 1, 0)];
            boolean last = i == n - 1;
            int layers = config.layersPerBlock()[level] + 1;
            upBlocks.add(config.crossAttentionUp(i)
                    ? new CrossAttnUpBlock2D(b, prev, skipIn, ch[level], layers, temb, groups, eps, !last, spec(level))
                    : new UpBlock2D(b, prev, skipIn, ch[level], layers, temb, groups, eps, !last));
        }
        this.normOut = new GroupNorm(w.at("conv_norm_out"), groups, ch[0], eps);
        this.convOut = Conv2d.same(w.at("conv_out"), ch[0], config.outChannels(), config.convOutKernel());
        this.linears = w.linears();
        this.loraTargets = w.loraTargets();
        this.parameters = w.taken();
    }

    private Transformer2DModel.Spec spec(int level) {
        return new Transformer2DModel.Spec(config.numAttentionHeads()[level], config.transformerLayersPerBlock()[level],
                config.crossAttentionDim(), config.useLinearProjection(), config.normNumGroups());
    }

    /**
     * @param sample        noisy latents [B, in_channels, H, W]
     * @param timesteps     [B] per-sample timesteps, or a scalar/[1] used for the whole batch (any numeric type)
     * @param context       text embeddings [B, tokens, cross_attention_dim]
     * @return the model output [B, out_channels, H, W] in the model's dtype, attached to the sample's manager
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context) {
        return forward(sample, timesteps, context, null);
    }

    /**
     * The same with a ControlNet's residuals added: each to its skip connection after the encoder pass, the mid one
     * to the mid-block output (diffusers' {@code down_block_additional_residuals}, {@code mid_block_additional_residual}).
     *
     * @param control the residuals (batch and shapes as the skips), or null for none
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context, ControlResiduals control) {
        return forward(sample, timesteps, context, control, null);
    }

    /**
     * The same, one call of a denoising run that uses {@link DeepCache}: a whole call keeps the last up block's input
     * in {@code cache}, the calls between run the outermost level on it (ControlNet residuals need every level).
     *
     * @param cache the run's cache, or null to run every call whole
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context, ControlResiduals control,
                           DeepCache cache) {
        checkInputs(sample, timesteps, context.getShape());
        if (cache != null && control != null) {
            throw new IllegalArgumentException("DeepCache skips the levels a ControlNet's residuals feed");
        }
        try (Scope scope = Scope.of(sample, timesteps, context)) {
            NDArray x = input(sample);
            NDArray ctx = context.toType(dtype, false);
            NDArray t = perSample(timesteps, sample);
            NDArray temb = timeEmbedding.forward(timeProj.forward(t).toType(dtype, false));
            if (cache != null && !cache.wholeCall()) {
                return scope.keep(outermost(x, temb, ctx, cache.deep(), scope));
            }

            NDArray h = convIn.forward(x);
            Deque<NDArray> skips = new ArrayDeque<>();
            skips.add(h);
            for (DownBlock2D block : downBlocks) {
                NDList states = block.forward(h, temb, ctx);
                skips.addAll(states);
                h = states.get(states.size() - 1);
            }
            if (control != null) {
                skips = withResiduals(skips, control.down());
            }
            if (midBlock != null) {
                h = midBlock.forward(h, temb, ctx);
            }
            if (control != null && control.mid() != null) {
                h = h.add(control.mid().toType(dtype, false));
            }
            for (int i = 0; i < upBlocks.size(); i++) {
                if (cache != null && i == upBlocks.size() - 1) {
                    cache.keep(h.duplicate());   // a copy: what is computed from h stays in the scope
                }
                h = upBlocks.get(i).forward(h, skips, temb, ctx);
            }
            return scope.keep(convOut.forward(Activations.silu(normOut.forward(h))));
        }
    }

    /**
     * ToMe for SD ({@link TokenMerge}) in every later forward until set back to 0: the self-attentions of the
     * outermost level that has attention (where the tokens are most: ToMe's {@code max_downsample=1}) run on
     * {@code ratio}·H·W fewer tokens. Model state, as attached LoRAs are: a pipeline sets it for a call.
     */
    public void tokenMerging(double ratio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("token merging ratio must be in [0, 1), got " + ratio);
        }
        for (int i = 0; i < downBlocks.size(); i++) {
            if (!downBlocks.get(i).attentions().isEmpty()) {
                downBlocks.get(i).attentions().forEach(t -> t.tokenMerging(ratio));
                upBlocks.get(upBlocks.size() - 1 - i).attentions().forEach(t -> t.tokenMerging(ratio));
                return;
            }
        }
    }

    /** DeepCache's partial call: conv_in, the first level's layers, the last up block on the kept input, the head. */
    private NDArray outermost(NDArray x, NDArray temb, NDArray ctx, NDArray deep, Scope scope) {
        NDArray h = convIn.forward(x);
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.add(h);
        skips.addAll(downBlocks.get(0).layers(h, temb, ctx));
        deep.tempAttach(scope.manager());   // back to the cache when the scope closes
        h = upBlocks.get(upBlocks.size() - 1).forward(deep, skips, temb, ctx);
        return convOut.forward(Activations.silu(normOut.forward(h)));
    }

    /**
     * The same forward as checkpointed stages on {@code tape} — the time embedding, conv_in, every resnet, transformer,
     * down- and upsampler, the output head — for training with gradient checkpointing: only the stages' inputs and
     * outputs are kept; {@link StageTape#backward} runs each stage again.
     *
     * @param context the text's id on the tape
     * @return the prediction's id on the tape
     */
    public int forward(StageTape tape, NDArray sample, NDArray timesteps, int context) {
        checkInputs(sample, timesteps, tape.value(context).getShape());
        int x = tape.input(input(sample), false);
        int t = tape.input(perSample(timesteps, sample), false);
        int temb = tape.run(in -> new NDList(timeEmbedding.forward(timeProj.forward(in.get(0)).toType(dtype, false))),
                t)[0];
        int h = tape.run(in -> new NDList(convIn.forward(in.get(0))), x)[0];
        Deque<Integer> skips = new ArrayDeque<>();
        skips.add(h);
        for (DownBlock2D block : downBlocks) {
            int[] states = block.forward(tape, h, temb, context);
            for (int state : states) {
                skips.add(state);
            }
            h = states[states.length - 1];
        }
        if (midBlock != null) {
            h = midBlock.forward(tape, h, temb, context);
        }
        for (UpBlock2D block : upBlocks) {
            h = block.forward(tape, h, skips, temb, context);
        }
        return tape.run(in -> new NDList(convOut.forward(Activations.silu(normOut.forward(in.get(0))))), h)[0];
    }

    private void checkInputs(NDArray sample, NDArray timesteps, Shape context) {
        Shape s = sample.getShape();
        long batch = s.get(0);
        check(s.dimension() == 4 && s.get(1) == config.inChannels(), "sample must be [B, " + config.inChannels()
                + ", H, W]", s);
        check(timesteps.size() == 1 || timesteps.getShape().equals(new Shape(batch)), "timesteps must be [" + batch
                + "] or a scalar", timesteps.getShape());
        check(context.dimension() == 3 && context.get(0) == batch && context.get(2) == config.crossAttentionDim(),
                "encoder_hidden_states must be [" + batch + ", tokens, " + config.crossAttentionDim() + "]", context);
    }

    /** The sample in the model's dtype, centred to [-1, 1] when the config asks. */
    private NDArray input(NDArray sample) {
        NDArray x = sample.toType(dtype, false);
        return config.centerInputSample() ? x.mul(2).sub(1) : x;
    }

    /** One timestep per sample (a scalar is broadcast). */
    private static NDArray perSample(NDArray timesteps, NDArray sample) {
        return timesteps.reshape(timesteps.size()).broadcast(new Shape(sample.getShape().get(0)));
    }

    /** New arrays (not in place: a skip may still be the encoder's running state). */
    private Deque<NDArray> withResiduals(Deque<NDArray> skips, List<NDArray> residuals) {
        if (residuals.size() != skips.size()) {
            throw new IllegalArgumentException("UNet input: " + skips.size() + " down residuals expected, got "
                    + residuals.size());
        }
        Deque<NDArray> out = new ArrayDeque<>();
        int i = 0;
        for (NDArray skip : skips) {
            out.add(skip.add(residuals.get(i++).toType(dtype, false)));
        }
        return out;
    }

    private static void check(boolean ok, String what, Shape actual) {
        if (!ok) {
            throw new IllegalArgumentException("UNet input: " + what + ", got " + actual);
        }
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    public List<DownBlock2D> downBlocks() {
        return downBlocks;
    }

    public UNetMidBlock2DCrossAttn midBlock() {
        return midBlock;
    }

    public List<UpBlock2D> upBlocks() {
        return upBlocks;
    }

    /** Linear layers by diffusers module path, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q}. */
    public Map<String, Linear> linears() {
        return linears;
    }

    /** Every layer LoRA adapters can target (Linear and Conv2d), by the same module paths. */
    public Map<String, LoraTarget> loraTargets() {
        return loraTargets;
    }

    /** Every weight by diffusers key (live arrays: they may map the checkpoint file, read-only). */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    @Override
    public void close() {
        manager.close();
    }
}
