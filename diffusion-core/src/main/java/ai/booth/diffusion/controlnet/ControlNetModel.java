package ai.booth.diffusion.controlnet;

import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.unet.ControlResiduals;
import ai.booth.diffusion.unet.CrossAttnDownBlock2D;
import ai.booth.diffusion.unet.DownBlock2D;
import ai.booth.diffusion.unet.TimestepEmbedding;
import ai.booth.diffusion.unet.Timesteps;
import ai.booth.diffusion.unet.Transformer2DModel;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.booth.diffusion.unet.UNetMidBlock2DCrossAttn;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' ControlNetModel: a trainable copy of the UNet encoder (time embedding, conv_in, down blocks, mid block —
 * the UNet's own block classes under the same keys) whose input is the latents plus the hint-encoded control image;
 * each encoder output goes through a 1×1 "zero convolution" ({@code controlnet_down_blocks.i},
 * {@code controlnet_mid_block}) and becomes a residual for the UNet's matching skip connection. Owns the manager
 * holding its weights.
 */
public final class ControlNetModel implements AutoCloseable {

    private final ControlNetConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Conv2d convIn;
    private final ControlNetConditioningEmbedding condEmbedding;
    private final List<DownBlock2D> downBlocks = new ArrayList<>();
    private final UNetMidBlock2DCrossAttn midBlock;
    private final List<Conv2d> zeroConvs = new ArrayList<>();
    private final Conv2d midZeroConv;

    public ControlNetModel(ControlNetConfig config, StateDict w) {
        this.config = config;
        this.manager = w.manager();
        this.dtype = w.dtype();
        UNet2DConditionConfig u = config.unet();
        int[] ch = u.blockOutChannels();
        int n = u.blocks();
        int groups = u.normNumGroups();
        float eps = (float) u.normEps();
        int temb = u.timeEmbeddingDim();
        this.timeProj = new Timesteps(manager, ch[0], u.flipSinToCos(), u.freqShift());
        this.timeEmbedding = new TimestepEmbedding(w.at("time_embedding"), ch[0], temb);
        this.convIn = Conv2d.same(w.at("conv_in"), u.inChannels(), ch[0], u.convInKernel());
        this.condEmbedding = new ControlNetConditioningEmbedding(w.at("controlnet_cond_embedding"),
                config.conditioningChannels(), config.conditioningEmbeddingOutChannels(), ch[0]);
        zeroConvs.add(zeroConv(w, zeroConvs.size(), ch[0]));
        for (int i = 0; i < n; i++) {
            StateDict b = w.at("down_blocks." + i);
            long in = i == 0 ? ch[0] : ch[i - 1];
            boolean last = i == n - 1;
            int layers = u.layersPerBlock()[i];
            downBlocks.add(u.crossAttentionDown(i)
                    ? new CrossAttnDownBlock2D(b, in, ch[i], layers, temb, groups, eps, !last, u.downsamplePadding(),
                            spec(u, i))
                    : new DownBlock2D(b, in, ch[i], layers, temb, groups, eps, !last, u.downsamplePadding()));
            for (int j = 0; j < layers + (last ? 0 : 1); j++) {
                zeroConvs.add(zeroConv(w, zeroConvs.size(), ch[i]));
            }
        }
        this.midBlock = new UNetMidBlock2DCrossAttn(w.at("mid_block"), ch[n - 1], temb, groups, eps,
                u.midBlockScaleFactor(), spec(u, n - 1));
        this.midZeroConv = Conv2d.same(w.at("controlnet_mid_block"), ch[n - 1], ch[n - 1], 1);
    }

    private static Conv2d zeroConv(StateDict w, int index, long channels) {
        return Conv2d.same(w.at("controlnet_down_blocks." + index), channels, channels, 1);
    }

    private static Transformer2DModel.Spec spec(UNet2DConditionConfig u, int level) {
        return new Transformer2DModel.Spec(u.numAttentionHeads()[level], u.transformerLayersPerBlock()[level],
                u.crossAttentionDim(), u.useLinearProjection(), u.normNumGroups());
    }

    /**
     * @param sample     latents as the UNet gets them [B, in_channels, h, w]
     * @param timesteps  [B] or a scalar
     * @param context    text embeddings [B, tokens, cross_attention_dim]
     * @param cond       control image [B, conditioning_channels, h·f, w·f], pixels in 0..1
     * @param scale      conditioning scale (0 gives zero residuals)
     * @param guessMode  residuals scaled by logspace(−1, 0) from the first block to the mid block, times {@code scale}
     * @return the residuals, attached to the sample's manager
     */
    public ControlResiduals forward(NDArray sample, NDArray timesteps, NDArray context, NDArray cond, double scale,
                                    boolean guessMode) {
        UNet2DConditionConfig u = config.unet();
        long batch = sample.getShape().get(0);
        Shape cs = cond.getShape();
        Shape ss = sample.getShape();
        int f = config.downscale();
        if (cs.dimension() != 4 || cs.get(0) != batch || cs.get(1) != config.conditioningChannels()
                || cs.get(2) != ss.get(2) * f || cs.get(3) != ss.get(3) * f) {
            throw new IllegalArgumentException("ControlNet input: control image must be [" + batch + ", "
                    + config.conditioningChannels() + ", " + ss.get(2) * f + ", " + ss.get(3) * f + "], got " + cs);
        }
        try (Scope scope = Scope.of(sample, timesteps, context, cond)) {
            NDArray hint = cond.toType(dtype, false);
            if (config.bgr()) {
                hint = hint.flip(1);
            }
            NDArray ctx = context.toType(dtype, false);
            NDArray t = timesteps.reshape(timesteps.size()).broadcast(new Shape(batch));
            NDArray temb = timeEmbedding.forward(timeProj.forward(t).toType(dtype, false));
            NDArray h = convIn.forward(sample.toType(dtype, false)).add(condEmbedding.forward(hint));
            List<NDArray> states = new ArrayList<>();
            states.add(h);
            for (DownBlock2D block : downBlocks) {
                NDList out = block.forward(h, temb, ctx);
                states.addAll(out);
                h = out.get(out.size() - 1);
            }
            h = midBlock.forward(h, temb, ctx);
            double[] scales = scales(states.size() + 1, scale, guessMode && !config.globalPoolConditions());
            NDList down = new NDList();
            for (int i = 0; i < states.size(); i++) {
                down.add(residual(zeroConvs.get(i).forward(states.get(i)), scales[i]));
            }
            NDArray mid = residual(midZeroConv.forward(h), scales[scales.length - 1]);
            scope.keep(down);
            scope.keep(mid);
            return new ControlResiduals(down, mid);
        }
    }

    /** Per-residual scales: the conditioning scale, or in guess mode torch.logspace(−1, 0, n) times it. */
    static double[] scales(int n, double scale, boolean guessMode) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            float exponent = n == 1 ? -1f : -1f + (float) i / (n - 1);
            s[i] = guessMode ? (float) Math.pow(10, exponent) * scale : scale;
        }
        return s;
    }

    private NDArray residual(NDArray x, double scale) {
        NDArray r = x.mul((float) scale);
        return config.globalPoolConditions() ? r.mean(new int[] {2, 3}, true) : r;
    }

    public ControlNetConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    @Override
    public void close() {
        manager.close();
    }
}
