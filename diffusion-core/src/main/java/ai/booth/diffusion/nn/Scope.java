package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The temporaries of one forward. Opens a sub-manager of the first input's manager and temporarily attaches the
 * inputs to it, so every intermediate computed from them (activation first, see the package doc) lands in the
 * sub-manager and is freed on {@link #close}; {@link #keep} moves the results out to the caller's manager first.
 * Inputs go back to their own managers on close.
 */
public final class Scope implements AutoCloseable {

    private final NDManager parent;
    private final NDManager sub;

    private Scope(NDArray first, NDArray... more) {
        this.parent = first.getManager();
        this.sub = parent.newSubManager();
        first.tempAttach(sub);
        for (NDArray a : more) {
            if (a != null && a != first) {
                a.tempAttach(sub);
            }
        }
    }

    public static Scope of(NDArray first, NDArray... more) {
        return new Scope(first, more);
    }

    /** The manager temporaries live in, for arrays created from scratch (masks, ranges). */
    public NDManager manager() {
        return sub;
    }

    public NDArray keep(NDArray result) {
        result.attach(parent);
        return result;
    }

    public NDList keep(NDList results) {
        results.attach(parent);
        return results;
    }

    @Override
    public void close() {
        sub.close();
    }
}
