package ai.booth.diffusion.train;

import ai.booth.diffusion.runtime.TorchGenerator;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One seed drives a whole job through separate generator streams, one per purpose, so that e.g. turning random
 * flips on does not change the noise drawn for a step. Stream seeds are derived from the job seed by SplitMix64.
 * The states of all streams are saved in checkpoints and restored exactly.
 */
public final class RandomStreams {

    /** What a stream draws. */
    public enum Purpose { LORA_INIT, LATENT_SAMPLING, DATA_ORDER, FLIPS, NOISE, TIMESTEPS }

    private final Map<Purpose, TorchGenerator> streams = new EnumMap<>(Purpose.class);

    public RandomStreams(long seed) {
        for (Purpose p : Purpose.values()) {
            streams.put(p, new TorchGenerator(splitMix64(seed + 0x9E3779B97F4A7C15L * (p.ordinal() + 1))));
        }
    }

    public TorchGenerator get(Purpose purpose) {
        return streams.get(purpose);
    }

    /** Every stream's state, by purpose name. */
    public Map<String, String> state() {
        Map<String, String> out = new LinkedHashMap<>();
        streams.forEach((p, g) -> out.put(p.name(), g.state().encode()));
        return out;
    }

    public void restore(Map<String, String> state) {
        for (Purpose p : Purpose.values()) {
            String s = state.get(p.name());
            if (s == null) {
                throw new IllegalArgumentException("saved random state lacks stream " + p);
            }
            streams.get(p).restore(TorchGenerator.State.decode(s));
        }
    }

    private static long splitMix64(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
