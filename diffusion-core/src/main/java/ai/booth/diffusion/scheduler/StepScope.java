package ai.booth.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Frees the intermediate tensors of one scheduler call. The inputs are lent to a sub-manager of the first input's
 * manager for the call, so every tensor computed from them lands there and is closed with it; the result is handed
 * back to the caller's manager with {@link #keep}, and state a scheduler carries to the next step (model output
 * history) is taken out of all managers with {@link #retain} and closed by the scheduler when it is dropped.
 */
final class StepScope implements AutoCloseable {

    private final NDManager caller;
    private final NDManager scope;

    StepScope(NDArray first, NDArray... others) {
        caller = first.getManager();
        scope = caller.newSubManager();
        first.tempAttach(scope);
        for (NDArray other : others) {
            if (other != null) {
                other.tempAttach(scope);
            }
        }
    }

    /** Lends more inputs (e.g. history from earlier steps) to the scope. */
    void borrow(Iterable<NDArray> arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                a.tempAttach(scope);
            }
        }
    }

    /** The manager tensors made in this call belong to. */
    NDManager manager() {
        return scope;
    }

    /** Returns {@code result} to the caller's manager. */
    NDArray keep(NDArray result) {
        result.attach(caller);
        return result;
    }

    /** Takes {@code state} out of every manager; the scheduler must close it. */
    NDArray retain(NDArray state) {
        state.detach();
        return state;
    }

    @Override
    public void close() {
        scope.close();
    }
}
