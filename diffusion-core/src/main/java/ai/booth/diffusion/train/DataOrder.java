package ai.booth.diffusion.train;

import ai.booth.diffusion.runtime.TorchGenerator;

/**
 * The order examples are drawn in: a fresh random permutation of the epoch's indices each epoch (Fisher–Yates with
 * the data-order stream), read one index at a time; batches run on across epoch ends, so they are always full.
 */
public final class DataOrder {

    /** A position in the order, for checkpoints. */
    public record State(int[] permutation, int position, int epoch) { }

    private final int length;
    private final TorchGenerator rng;
    private int[] permutation;
    private int position;
    private int epoch;

    public DataOrder(int length, TorchGenerator rng) {
        if (length < 1) {
            throw new IllegalArgumentException("an epoch needs at least one example, got " + length);
        }
        this.length = length;
        this.rng = rng;
        this.position = length;   // shuffle on first use
        this.epoch = -1;
    }

    /** The next example index in [0, length). */
    public int next() {
        if (position == length) {
            permutation = shuffled();
            position = 0;
            epoch++;
        }
        return permutation[position++];
    }

    /** Epochs begun so far, 0-based (−1 before the first draw). */
    public int epoch() {
        return epoch;
    }

    private int[] shuffled() {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = i;
        }
        for (int i = length - 1; i > 0; i--) {
            int j = (int) rng.randint(0, i + 1, 1)[0];
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    public State state() {
        return new State(permutation == null ? new int[0] : permutation.clone(), position, epoch);
    }

    public void restore(State s) {
        if (s.permutation().length != 0 && s.permutation().length != length) {
            throw new IllegalArgumentException("saved data order has " + s.permutation().length
                    + " examples per epoch, this job " + length);
        }
        permutation = s.permutation().length == 0 ? null : s.permutation().clone();
        position = permutation == null ? length : s.position();
        epoch = s.epoch();
    }
}
