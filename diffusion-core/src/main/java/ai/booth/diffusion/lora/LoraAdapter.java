package ai.booth.diffusion.lora;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.nn.LoraBranch;
import ai.booth.diffusion.nn.LoraTarget;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A LoRA adapter for one base model: a set of {@link LoraModule}s (factors on the model's device and dtype, in the
 * adapter's own NDManager) plus the file's metadata. Load one from either layout ({@link #load}), create a fresh
 * trainable one ({@link #create}), {@link #attach} it to the model with separate UNet and text-encoder scales (as
 * many adapters at once as you like, scales changeable per request, scale 0 = the base model exactly), and
 * {@link #save} it in either layout.
 */
public final class LoraAdapter implements AutoCloseable {

    private final String name;
    private final List<LoraModule> modules;
    private final Map<String, String> metadata;
    private final NDManager manager;

    private LoraAdapter(String name, List<LoraModule> modules, Map<String, String> metadata, NDManager manager) {
        this.name = name;
        this.modules = Collections.unmodifiableList(modules);
        this.metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
        this.manager = manager;
    }

    /**
     * Reads a LoRA file of either layout for {@code model}: module names are resolved against the model's layers
     * and factors are cast to its dtype on its device. Every module the model lacks and every factor shape that does
     * not fit its layer is reported in one error. Alpha comes from a module's {@code .alpha} tensor, else the file
     * metadata ({@code lora_alpha} or kohya's {@code ss_network_alpha}), else equals the rank (scale 1), as in
     * diffusers and A1111.
     */
    public static LoraAdapter load(Path file, StableDiffusionModel model) {
        String name = baseName(file);
        NDManager manager = NDManager.newBaseManager(model.options().device());
        try (SafeTensors st = SafeTensors.open(file)) {
            LoraLayout layout = LoraLayout.detect(st.names());
            Float fileAlpha = fileAlpha(st.metadata());
            List<LoraModule> modules = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            Map<LoraComponent, Map<String, String>> kohyaIndex = new LinkedHashMap<>();
            for (LoraKeys.Entry e : LoraKeys.parse(st.names(), layout)) {
                Map<String, LoraTarget> targets = e.component().targets(model);
                String path = layout == LoraLayout.KOHYA
                        ? kohyaIndex.computeIfAbsent(e.component(), c -> LoraKeys.kohyaIndex(targets.keySet())).get(e.name())
                        : e.name();
                LoraTarget target = path == null ? null : targets.get(path);
                if (target == null) {
                    problems.add(e.downKey() + ": the model has no layer " + e.component().peftPrefix() + "."
                            + (path == null ? e.name() : path));
                    continue;
                }
                NDArray down = owned(st.load(e.downKey(), manager, model.options().dtype()));
                NDArray up = owned(st.load(e.upKey(), manager, model.options().dtype()));
                long rank = down.getShape().get(0);
                float alpha = e.alphaKey() != null ? st.load(e.alphaKey(), manager, DataType.FLOAT32).getFloat()
                        : fileAlpha != null ? fileAlpha : rank;
                LoraModule module = new LoraModule(e.component(), path, down, up, alpha);
                try {
                    target.checkFits(branch(module, name, 0f));
                    modules.add(module);
                } catch (IllegalArgumentException ex) {
                    problems.add(ex.getMessage());
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(problems.size() + " of " + (modules.size() + problems.size())
                        + " modules do not fit this model: " + LoraKeys.abbreviate(problems));
            }
            return new LoraAdapter(name, modules, st.metadata(), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw new IllegalArgumentException("LoRA file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A fresh adapter on every layer {@code targets} selects, initialised as PEFT does: {@code lora_A} from
     * kaiming-uniform(a=√5), i.e. U(−1/√fan_in, 1/√fan_in), drawn from {@code generator}; {@code lora_B} zero, so
     * the adapted model starts equal to the base model. Factors are float32 on the model's device.
     */
    public static LoraAdapter create(String name, StableDiffusionModel model, LoraTargets targets, int rank,
                                     float alpha, TorchGenerator generator) {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("LoRA alpha must be positive, got " + alpha);
        }
        NDManager manager = NDManager.newBaseManager(model.options().device());
        List<LoraModule> modules = new ArrayList<>();
        for (LoraComponent c : LoraComponent.values()) {
            for (LoraTarget t : targets.select(c, c.targets(model))) {
                long fanIn = t.inFeatures() * t.kernelSize() * t.kernelSize();
                Shape downShape = t.kernelSize() == 1 ? new Shape(rank, t.inFeatures())
                        : new Shape(rank, t.inFeatures(), t.kernelSize(), t.kernelSize());
                float bound = (float) (1 / Math.sqrt(fanIn));
                NDArray down = manager.create(generator.rand(downShape.size()), downShape).mul(2 * bound).sub(bound);
                Shape upShape = t.kernelSize() == 1 ? new Shape(t.outFeatures(), rank)
                        : new Shape(t.outFeatures(), rank, 1, 1);
                modules.add(new LoraModule(c, t.path(), down, manager.zeros(upShape, DataType.FLOAT32), alpha));
            }
        }
        if (modules.isEmpty()) {
            manager.close();
            throw new IllegalArgumentException("LoRA targets " + targets + " select no layer of the model");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("lora_rank", Integer.toString(rank));
        metadata.put("lora_alpha", Float.toString(alpha));
        return new LoraAdapter(name, modules, metadata, manager);
    }

    /**
     * A new adapter with copies of this one's {@code component} modules, cut to their first {@code rank} components
     * (rows of {@code lora_A}, columns of {@code lora_B}) and given {@code alpha} — e.g. a UNet-only start for
     * pivotal tuning from a larger adapter.
     */
    public LoraAdapter select(String newName, LoraComponent component, int rank, float alpha) {
        NDManager copy = NDManager.newBaseManager(manager.getDevice());
        List<LoraModule> out = new ArrayList<>();
        for (LoraModule m : modules(component)) {
            if (m.rank() < rank) {
                copy.close();
                throw new IllegalArgumentException("LoRA " + m.peftName() + " has rank " + m.rank() + ", less than "
                        + rank);
            }
            out.add(new LoraModule(component, m.path(), cut(m.down(), "0:" + rank, copy),
                    cut(m.up(), ":, 0:" + rank, copy), alpha));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("lora_rank", Integer.toString(rank));
        meta.put("lora_alpha", Float.toString(alpha));
        return new LoraAdapter(newName, out, meta, copy);
    }

    /** An owned copy of {@code x[index]} in {@code into}. */
    private static NDArray cut(NDArray x, String index, NDManager into) {
        try (NDArray view = x.get(new NDIndex(index))) {
            NDArray copy = view.duplicate();
            copy.attach(into);
            return copy;
        }
    }

    public String name() {
        return name;
    }

    public List<LoraModule> modules() {
        return modules;
    }

    public List<LoraModule> modules(LoraComponent component) {
        return modules.stream().filter(m -> m.component() == component).toList();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The largest rank of any module (adapters from other tools may vary rank per module). */
    public long rank() {
        return modules.stream().mapToLong(LoraModule::rank).max().orElse(0);
    }

    /** Attaches every module to {@code model} at these scales; undone by closing the returned handle. */
    public AttachedLora attach(StableDiffusionModel model, float unetScale, float textEncoderScale) {
        List<AttachedLora.Attachment> added = new ArrayList<>();
        try {
            for (LoraModule m : modules) {
                LoraTarget target = m.component().targets(model).get(m.path());
                if (target == null) {
                    throw new IllegalArgumentException("LoRA '" + name + "': the model has no layer "
                            + m.peftName() + " (was the adapter loaded for another base model?)");
                }
                LoraBranch branch = branch(m, name,
                        m.component() == LoraComponent.UNET ? unetScale : textEncoderScale);
                target.addLora(branch);
                added.add(new AttachedLora.Attachment(m.component(), target, branch));
            }
        } catch (RuntimeException e) {
            added.forEach(a -> {
                a.target().removeLora(a.branch());
                a.branch().releaseViews();
            });
            throw e;
        }
        return new AttachedLora(this, added, unetScale, textEncoderScale);
    }

    private static LoraBranch branch(LoraModule m, String adapter, float scale) {
        return new LoraBranch(adapter + ":" + m.peftName(), m.down(), m.up(), m.alpha(), scale);
    }

    /**
     * Writes the adapter in {@code layout} (atomically). Rank and alpha go into the metadata the layout's tools read
     * ({@code lora_rank}/{@code lora_alpha}; kohya's {@code ss_network_dim}/{@code ss_network_alpha} and one
     * {@code .alpha} tensor per module); PEFT files also get per-module {@code .alpha} tensors when alphas differ.
     */
    public void save(Path file, LoraLayout layout, Map<String, String> extraMetadata) {
        boolean uniform = modules.stream().map(LoraModule::alpha).distinct().count() == 1
                && modules.stream().map(LoraModule::rank).distinct().count() == 1;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        if (uniform) {
            String rank = Long.toString(modules.get(0).rank());
            String alpha = Float.toString(modules.get(0).alpha());
            meta.put(layout == LoraLayout.KOHYA ? "ss_network_dim" : "lora_rank", rank);
            meta.put(layout == LoraLayout.KOHYA ? "ss_network_alpha" : "lora_alpha", alpha);
        }
        if (layout == LoraLayout.KOHYA) {
            meta.put("ss_network_module", "networks.lora");
        }
        meta.putAll(extraMetadata);
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (LoraModule m : modules) {
                String prefix = layout == LoraLayout.KOHYA ? m.kohyaName() : m.peftName();
                tensors.put(prefix + (layout == LoraLayout.KOHYA ? ".lora_down.weight" : ".lora_A.weight"), m.down());
                tensors.put(prefix + (layout == LoraLayout.KOHYA ? ".lora_up.weight" : ".lora_B.weight"), m.up());
                if (layout == LoraLayout.KOHYA || !uniform) {
                    tensors.put(prefix + ".alpha", scratch.create(m.alpha()));
                }
            }
            SafeTensors.write(file, tensors, meta);
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * A copy in the process's own memory: float32 tensors load as read-only views of the file's mapping, and
     * factors may be written in place (trained further) — writing to the mapping would crash the JVM.
     */
    private static NDArray owned(NDArray loaded) {
        NDArray copy = loaded.duplicate();
        copy.setName(loaded.getName());
        loaded.close();
        return copy;
    }

    private static Float fileAlpha(Map<String, String> metadata) {
        for (String key : List.of("lora_alpha", "ss_network_alpha")) {
            String v = metadata.get(key);
            if (v != null && !v.isBlank() && !v.equals("None")) {
                try {
                    return Float.parseFloat(v.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("metadata " + key + "='" + v + "' is not a number");
                }
            }
        }
        return null;
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }
}
