package ai.booth.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.AdamW} (decoupled weight decay, no amsgrad), operation for operation as torch's single-tensor
 * CPU path in float32, so two steps reproduce torch's parameters to the last bit or two:
 * <pre>
 *   p ← p·(1 − lr·wd);  m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g·g
 *   denom = √v / √(1−β₂ᵗ) + ε;  p ← p − (lr / (1−β₁ᵗ))·m / denom
 * </pre>
 * Scalars are computed in double (Python floats) and rounded to float32 where torch hands them to a kernel.
 * Parameters come in named groups with their own learning rate (UNet and text-encoder LoRA); the moments live in
 * the optimizer's own manager and are saved and restored with {@link #state()} / {@link #load}.
 */
public final class AdamW implements AutoCloseable {

    /** β₁, β₂, ε and the decoupled weight decay, shared by every group. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW eps must be > 0 and weight decay >= 0, got " + eps + ", "
                        + weightDecay);
            }
        }
    }

    /**
     * Parameters (name → float32 tensor, updated in place) trained at one base learning rate, with their own weight
     * decay or (null) the settings' one — textual-inversion rows usually decay differently from LoRA factors.
     */
    public record Group(String name, double lr, Double weightDecay, Map<String, NDArray> params) {
        public Group {
            params = new LinkedHashMap<>(params);
            if (weightDecay != null && !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW group " + name + ": weight decay must be >= 0, got "
                        + weightDecay);
            }
        }

        /** A group with the settings' weight decay. */
        public Group(String name, double lr, Map<String, NDArray> params) {
            this(name, lr, null, params);
        }
    }

    private final Settings settings;
    private final List<Group> groups;
    private final NDManager manager;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private long steps;

    public AdamW(Settings settings, List<Group> groups) {
        this.settings = settings;
        this.groups = List.copyOf(groups);
        NDArray any = groups.stream().flatMap(g -> g.params().values().stream()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("AdamW needs at least one parameter"));
        this.manager = any.getManager().newSubManager();
        for (Group g : groups) {
            g.params().forEach((name, p) -> {
                if (expAvg.put(name, manager.zeros(p.getShape(), p.getDataType())) != null) {
                    throw new IllegalArgumentException("parameter " + name + " is in more than one group");
                }
                expAvgSq.put(name, manager.zeros(p.getShape(), p.getDataType()));
            });
        }
    }

    public Settings settings() {
        return settings;
    }

    public List<Group> groups() {
        return groups;
    }

    /** Updates taken so far (torch's {@code state['step']}). */
    public long steps() {
        return steps;
    }

    /**
     * One update. Call with autograd off (outside a GradientCollector): parameters change in place.
     *
     * @param lrs       the learning rate of each group for this step (base rate × schedule), in group order
     * @param gradients the gradient of every parameter, by name
     */
    public void step(double[] lrs, Map<String, NDArray> gradients) {
        if (lrs.length != groups.size()) {
            throw new IllegalArgumentException("AdamW has " + groups.size() + " groups, got " + lrs.length + " rates");
        }
        steps++;
        double bc1 = 1 - Math.pow(settings.beta1(), steps);
        double bc2 = 1 - Math.pow(settings.beta2(), steps);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        for (int i = 0; i < groups.size(); i++) {
            Group group = groups.get(i);
            double lr = lrs[i];
            double wd = group.weightDecay() != null ? group.weightDecay() : settings.weightDecay();
            float negStepSize = (float) -(lr / bc1);
            for (Map.Entry<String, NDArray> e : group.params().entrySet()) {
                NDArray grad = gradients.get(e.getKey());
                if (grad == null) {
                    throw new IllegalArgumentException("no gradient for parameter " + e.getKey());
                }
                update(e.getValue(), grad, expAvg.get(e.getKey()), expAvgSq.get(e.getKey()), lr, wd, negStepSize,
                        bc2Sqrt);
            }
        }
    }

    private void update(NDArray p, NDArray g, NDArray m, NDArray v, double lr, double wd, float negStepSize,
                        float bc2Sqrt) {
        try (NDManager scratch = manager.newSubManager()) {
            g.tempAttach(scratch);
            if (wd != 0) {
                p.muli((float) (1 - lr * wd));
            }
            m.muli((float) settings.beta1()).addi(g.mul((float) (1 - settings.beta1())));
            v.muli((float) settings.beta2()).addi(g.mul((float) (1 - settings.beta2())).mul(g));
            NDArray denom = v.sqrt();
            denom.attach(scratch);
            NDArray delta = m.mul(negStepSize);
            delta.attach(scratch);
            p.addi(delta.div(denom.div(bc2Sqrt).add((float) settings.eps())));
        }
    }

    /** The moments by {@code exp_avg.<name>} / {@code exp_avg_sq.<name>} (live arrays: copy before changing). */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        expAvg.forEach((k, v) -> out.put("exp_avg." + k, v));
        expAvgSq.forEach((k, v) -> out.put("exp_avg_sq." + k, v));
        return out;
    }

    /** Restores moments written by {@link #state()} and the step count; every parameter must be present. */
    public void load(Map<String, NDArray> state, long stepCount) {
        List<String> problems = new ArrayList<>();
        for (Map<String, NDArray> moments : List.of(expAvg, expAvgSq)) {
            String prefix = moments == expAvg ? "exp_avg." : "exp_avg_sq.";
            moments.forEach((name, target) -> {
                NDArray saved = state.get(prefix + name);
                if (saved == null || !saved.getShape().equals(target.getShape())) {
                    problems.add(prefix + name + (saved == null ? " missing" : ": saved " + saved.getShape()
                            + ", expected " + target.getShape()));
                } else {
                    target.set(saved.toType(target.getDataType(), false).toByteBuffer());
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("optimizer state does not fit: " + String.join("; ", problems));
        }
        this.steps = stepCount;
    }

    @Override
    public void close() {
        manager.close();
    }
}
