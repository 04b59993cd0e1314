package ai.booth.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * Parameters a {@link TrainingStep} trains: float32 masters by name that join a forward through {@link #bind} and
 * collect gradients there (LoRA factors, textual-inversion rows).
 */
public interface Trainable {

    /** Every trained tensor by name. */
    Map<String, NDArray> parameters();

    /** Attaches the current parameters to the model through arrays made in {@code step}, until closed. */
    Binding bind(NDManager step);

    /** The accumulated gradient of every parameter, by name, as float32 arrays attached to {@code into}. */
    Map<String, NDArray> gradients(NDManager into);

    /** Clears the accumulated gradients. */
    void zeroGradients();

    /** A {@link #bind}ing, undone by closing. */
    interface Binding extends AutoCloseable {
        @Override
        void close();
    }
}
