package ai.booth.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Sinusoidal timestep features (diffusers' get_timestep_embedding with max_period 10000), computed in float32 with
 * the same op order as diffusers so the frequencies round identically.
 */
public final class Timesteps {

    private final int channels;
    private final boolean flipSinToCos;
    /** exp(−ln(10000)·i / (half − freq_shift)), shaped [1, half]. */
    private final NDArray frequencies;

    /** {@code manager} null: a dry-run model (names and shapes only), which is never run. */
    public Timesteps(NDManager manager, int channels, boolean flipSinToCos, double freqShift) {
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.frequencies = manager == null ? null : frequencies(manager, channels / 2, freqShift);
    }

    private static NDArray frequencies(NDManager manager, int half, double freqShift) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray f = tmp.arange(0, half, 1, DataType.FLOAT32)
                    .mul((float) -Math.log(10000))
                    .div((float) (half - freqShift))
                    .exp()
                    .reshape(1, half);
            f.attach(manager);
            return f;
        }
    }

    /** timesteps [B] (any numeric type) → [B, channels] float32, attached to the timesteps' manager. */
    public NDArray forward(NDArray timesteps) {
        long b = timesteps.getShape().size();
        NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(b, 1).mul(frequencies);
        NDList parts = flipSinToCos ? new NDList(args.cos(), args.sin()) : new NDList(args.sin(), args.cos());
        if (channels % 2 == 1) {
            parts.add(timesteps.getManager().zeros(new Shape(b, 1), DataType.FLOAT32));
        }
        return NDArrays.concat(parts, 1);
    }
}
