package ai.booth.diffusion.vae;

import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Map;

/**
 * diffusers' AutoencoderKL: images in [−1, 1] to a diagonal Gaussian over latents and latents back to images.
 * Latents are unscaled here; multiply samples by {@link #scalingFactor()} before the UNet and divide before
 * {@link #decode}. Owns the manager holding its weights.
 */
public final class AutoencoderKL implements AutoCloseable {

    private final AutoencoderKLConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Map<String, NDArray> parameters;

    public AutoencoderKL(AutoencoderKLConfig config, StateDict w) {
        this.config = config;
        this.manager = w.manager();
        this.dtype = w.dtype();
        int latent = config.latentChannels();
        this.encoder = new Encoder(w.at("encoder"), config);
        this.decoder = new Decoder(w.at("decoder"), config);
        this.quantConv = Conv2d.same(w.at("quant_conv"), 2L * latent, 2L * latent, 1);
        this.postQuantConv = Conv2d.same(w.at("post_quant_conv"), latent, latent, 1);
        this.parameters = w.taken();
    }

    /** Every weight by diffusers key (live arrays: they may map the checkpoint file, read-only). */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** image [B, in_channels, H, W] in [−1, 1], H and W multiples of {@link AutoencoderKLConfig#downscale()}. */
    public DiagonalGaussian encode(NDArray image) {
        Shape s = image.getShape();
        int f = config.downscale();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) % f != 0 || s.get(3) % f != 0) {
            throw new IllegalArgumentException("VAE encode: image must be [B, " + config.inChannels()
                    + ", H, W] with H and W multiples of " + f + ", got " + s);
        }
        try (Scope scope = Scope.of(image)) {
            NDArray moments = quantConv.forward(encoder.forward(image.toType(dtype, false)));
            NDList parts = moments.split(2, 1);
            NDArray logvar = parts.get(1).clip(-30f, 20f);
            // A view, not duplicate(): DJL's clone detaches from autograd, and the encoder learns through the mean.
            return new DiagonalGaussian(scope.keep(parts.get(0)), scope.keep(logvar));
        }
    }

    /** latents [B, latent_channels, h, w] (unscaled) → image [B, out_channels, h·f, w·f], roughly in [−1, 1]. */
    public NDArray decode(NDArray latents) {
        Shape s = latents.getShape();
        if (s.dimension() != 4 || s.get(1) != config.latentChannels()) {
            throw new IllegalArgumentException("VAE decode: latents must be [B, " + config.latentChannels()
                    + ", h, w], got " + s);
        }
        try (Scope scope = Scope.of(latents)) {
            return scope.keep(decoder.forward(postQuantConv.forward(latents.toType(dtype, false))));
        }
    }

    public float scalingFactor() {
        return (float) config.scalingFactor();
    }

    public AutoencoderKLConfig config() {
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
