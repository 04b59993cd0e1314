package ai.booth.diffusion.nn;

import ai.booth.diffusion.runtime.NoGrad;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gradient checkpointing: a network run as stages (functions of earlier stages' outputs) whose activations are not
 * kept. {@link #run} computes a stage with autograd off and keeps only its outputs; {@link #backward} computes the
 * stages again, last first, each on fresh leaf copies of its inputs with autograd on, and back-propagates the
 * gradients of its outputs through it: the weights' gradients accumulate as one backward would give them, and each
 * input's gradient is summed over every stage that read it (skip connections, the time embedding, the text). Peak
 * memory is the stage boundaries plus one stage's activations, for one more forward of compute.
 *
 * <p>Stages must be deterministic (no dropout, no random draws): a recomputed stage must equal the first run.
 * Values live in the tape's manager until it is closed.
 */
public final class StageTape implements AutoCloseable {

    /** One stage: its outputs from its inputs, in order. */
    @FunctionalInterface
    public interface Stage {
        NDList apply(NDList inputs);
    }

    private record Entry(Stage stage, int[] inputs, int[] outputs) { }

    private final NDManager manager;
    private final List<NDArray> values = new ArrayList<>();
    private final List<Boolean> differentiable = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Set<Integer> networkInputs = new HashSet<>();

    public StageTape(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /**
     * Registers an input of the network; {@code differentiable} asks {@link #backward} for its gradient (e.g. the
     * text when the text encoder trains).
     */
    public int input(NDArray value, boolean differentiable) {
        try (NoGrad noGrad = NoGrad.enter()) { // a copy without the caller's graph: the caller keeps its array
            int id = add(value.duplicate(), differentiable);
            networkInputs.add(id);
            return id;
        }
    }

    /**
     * Runs {@code stage} on the given values with autograd off; answers the ids of its outputs, which must be new
     * arrays (not its inputs).
     */
    public int[] run(Stage stage, int... inputs) {
        try (NoGrad noGrad = NoGrad.enter(); NDManager temporaries = manager.newSubManager()) {
            NDList in = new NDList();
            for (int id : inputs) {
                in.add(values.get(id));
            }
            in.forEach(v -> v.tempAttach(temporaries));
            NDList out = stage.apply(in);
            int[] ids = new int[out.size()];
            for (int i = 0; i < out.size(); i++) {
                ids[i] = add(out.get(i), true);
            }
            entries.add(new Entry(stage, inputs.clone(), ids));
            return ids;
        }
    }

    public NDArray value(int id) {
        return values.get(id);
    }

    /**
     * Back-propagates {@code gradient} of value {@code output} through every stage, last first.
     *
     * @return the gradients of the differentiable network inputs that received one, by id, in the tape's manager
     */
    public Map<Integer, NDArray> backward(int output, NDArray gradient) {
        Map<Integer, NDArray> grads = new HashMap<>();
        grads.put(output, keep(gradient.duplicate()));
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            for (int e = entries.size() - 1; e >= 0; e--) {
                backward(entries.get(e), grads);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        Map<Integer, NDArray> inputs = new HashMap<>();
        grads.forEach((id, g) -> {
            if (networkInputs.contains(id) && differentiable.get(id)) {
                inputs.put(id, g);
            }
        });
        return inputs;
    }

    private void backward(Entry entry, Map<Integer, NDArray> grads) {
        try (NDManager temporaries = manager.newSubManager()) {
            NDList leaves = new NDList();
            for (int id : entry.inputs()) {
                NDArray leaf = values.get(id).duplicate();
                leaf.attach(temporaries);
                if (differentiable.get(id)) {
                    leaf.setRequiresGradient(true);
                }
                leaves.add(leaf);
            }
            NDList out = entry.stage().apply(leaves);
            boolean reached = false;
            for (int i = 0; i < out.size(); i++) {
                NDArray g = grads.get(entry.outputs()[i]);
                // the stage's graph serves every output: kept until the last one has passed
                reached |= g != null && backward(out.get(i), g, i < out.size() - 1);
            }
            for (int id : entry.outputs()) { // every reader of an output ran later, so its gradient is complete and spent
                NDArray done = grads.remove(id);
                if (done != null) {
                    done.close();
                }
            }
            for (int j = 0; j < entry.inputs().length; j++) {
                int id = entry.inputs()[j];
                if (!differentiable.get(id) || !reached) {
                    continue;
                }
                NDArray g = leaves.get(j).getGradient(); // zeros when no output depends on this input
                NDArray owned = keep(g.duplicate());
                g.close();
                NDArray sum = grads.get(id);
                if (sum == null) {
                    grads.put(id, owned);
                } else {
                    sum.addi(owned);
                    owned.close();
                }
            }
        }
    }

    /**
     * Back-propagates {@code gradient} from {@code output} into its graph; false when autograd does not track it (a
     * stage with nothing trained before or in it). DJL cannot ask a non-leaf whether it is tracked
     * ({@code requiresGrad} answers false, {@code getGradientFunctionNames} crashes without a grad_fn), so libtorch
     * is asked by trying.
     */
    public static boolean backward(NDArray output, NDArray gradient, boolean keepGraph) {
        try {
            JniUtils.backward((PtNDArray) output, (PtNDArray) gradient, keepGraph, false);
            return true;
        } catch (EngineException e) {
            if (e.getMessage() != null && e.getMessage().contains("does not require grad")) {
                return false;
            }
            throw e;
        }
    }

    private int add(NDArray value, boolean canDifferentiate) {
        keep(value);
        values.add(value);
        differentiable.add(canDifferentiate);
        return values.size() - 1;
    }

    private NDArray keep(NDArray value) {
        value.attach(manager);
        return value;
    }

    @Override
    public void close() {
        manager.close();
    }
}
