package ai.booth.diffusion.nn;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Weights by diffusers/PEFT module path, handed to a model while it is built. Each block {@link #take}s the tensors
 * its config implies, with the shape it expects; the dictionary records what was used, so {@link #finish} can report
 * every missing, unexpected and mis-shaped key in one {@link CheckpointException}. Shapes come from file headers,
 * so a wrong checkpoint fails before its tensors are read.
 *
 * <p>Tensors are loaded onto {@link #manager()} (the model's own manager: its device) cast to {@link #dtype()}.
 * A missing or mis-shaped key yields {@code null}: models only store weights while being built, and loaders call
 * {@code finish} before a model is used. The dictionary also collects every {@link Linear} built from it under its
 * module path — that is the registry behind each model's {@code linears()} for LoRA.
 */
public final class StateDict {

    /** State shared by a dictionary and its prefixed views. */
    private static final class Core {
        final Map<String, TensorSource> sources;
        final NDManager manager;
        final DataType dtype;
        final boolean random;
        final boolean dry;
        final Set<String> used = new HashSet<>();
        final List<String> missing = new ArrayList<>();
        final List<String> misShaped = new ArrayList<>();
        final Map<String, NDArray> taken = new LinkedHashMap<>();
        final Map<String, Linear> linears = new LinkedHashMap<>();
        final Map<String, LoraTarget> loraTargets = new LinkedHashMap<>();

        Core(Map<String, TensorSource> sources, NDManager manager, DataType dtype, boolean random, boolean dry) {
            this.sources = sources;
            this.manager = manager;
            this.dtype = dtype;
            this.random = random;
            this.dry = dry;
        }
    }

    private final Core core;
    private final String prefix;

    private StateDict(Core core, String prefix) {
        this.core = core;
        this.prefix = prefix;
    }

    public static StateDict of(Map<String, TensorSource> sources, NDManager manager, DataType dtype) {
        return new StateDict(new Core(new LinkedHashMap<>(sources), manager, dtype, false, false), "");
    }

    /**
     * Checks names and shapes only: {@link #take} records problems and returns null without reading anything. Build
     * a model from this first and {@link #finish} it, so a wrong checkpoint fails before gigabytes are loaded.
     */
    public static StateDict dryRun(Map<String, TensorSource> sources, NDManager manager, DataType dtype) {
        return new StateDict(new Core(new LinkedHashMap<>(sources), manager, dtype, false, true), "");
    }

    /** Every tensor of a safetensors file under its own name. */
    public static StateDict of(SafeTensors file, NDManager manager, DataType dtype) {
        Map<String, TensorSource> sources = new LinkedHashMap<>();
        for (String name : file.names()) {
            sources.put(name, TensorSource.of(file, name));
        }
        return of(sources, manager, dtype);
    }

    /**
     * Synthesises every requested tensor: matrices and kernels ~ N(0, 1/fan_in), 1-D weights 1 + N(0, 0.1²), other
     * 1-D tensors N(0, 0.1²). For benchmarks and shape tests; seeds libtorch's global generator.
     */
    public static StateDict random(NDManager manager, DataType dtype, long seed) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        return new StateDict(new Core(Map.of(), manager, dtype, true, false), "");
    }

    /** A view whose names are relative to {@code path} (a module path such as {@code down_blocks.0}). */
    public StateDict at(String path) {
        return new StateDict(core, prefix + path + ".");
    }

    /** This view's module path, e.g. {@code down_blocks.0.attentions.0}; empty at the root. */
    public String path() {
        return prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
    }

    public NDManager manager() {
        return core.manager;
    }

    public DataType dtype() {
        return core.dtype;
    }

    public boolean contains(String name) {
        return core.random || core.sources.containsKey(prefix + name);
    }

    /** Loads {@code name} expecting {@code shape}; records a problem and returns null when it is absent or mis-shaped. */
    public NDArray take(String name, long... shape) {
        String key = prefix + name;
        Shape expected = new Shape(shape);
        NDArray array;
        if (core.random) {
            array = randomTensor(name, expected);
        } else {
            TensorSource src = core.sources.get(key);
            if (src == null) {
                core.missing.add(key + " " + expected);
                return null;
            }
            core.used.add(key);
            if (!src.shape().equals(expected)) {
                core.misShaped.add(key + ": checkpoint has " + src.shape()
                        + (src.origin().equals(key) ? "" : " (" + src.origin() + ")") + ", model expects " + expected);
                return null;
            }
            if (core.dry) {
                return null;
            }
            array = src.load(core.manager, core.dtype);
        }
        array.setName(key);
        core.taken.put(key, array);
        return array;
    }

    private NDArray randomTensor(String name, Shape shape) {
        NDManager m = core.manager;
        if (shape.dimension() >= 2) {
            double std = 1.0 / Math.sqrt((double) shape.size() / shape.get(0));
            return m.randomNormal(0f, (float) std, shape, core.dtype);
        }
        NDArray noise = m.randomNormal(0f, 0.1f, shape, core.dtype);
        if (!name.endsWith("weight")) {
            return noise;
        }
        NDArray weight = noise.add(1f);
        noise.close();
        return weight;
    }

    /** Marks keys the model deliberately does not use (e.g. {@code position_ids} buffers) as expected. */
    public void ignore(String... names) {
        for (String name : names) {
            core.used.add(prefix + name);
        }
    }

    void register(LoraTarget target) {
        core.loraTargets.put(path(), target);
        if (target instanceof Linear linear) {
            core.linears.put(path(), linear);
        }
    }

    /** Every Linear and Conv2d built from this dictionary, by module path, in build order. */
    public Map<String, LoraTarget> loraTargets() {
        return Collections.unmodifiableMap(core.loraTargets);
    }

    /** Every Linear built from this dictionary, by module path, in build order. */
    public Map<String, Linear> linears() {
        return Collections.unmodifiableMap(core.linears);
    }

    /** Every tensor handed out so far, by full name (e.g. to rebuild a model from the same random weights). */
    public Map<String, NDArray> taken() {
        return Collections.unmodifiableMap(core.taken);
    }

    /** Throws one {@link CheckpointException} naming every missing, unexpected and mis-shaped key, if any. */
    public void finish(String what) {
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, TensorSource> e : core.sources.entrySet()) {
            if (!core.used.contains(e.getKey())) {
                String origin = e.getValue().origin();
                unexpected.add(e.getKey() + " " + e.getValue().shape() + (origin.equals(e.getKey()) ? "" : " (" + origin + ")"));
            }
        }
        if (!core.missing.isEmpty() || !unexpected.isEmpty() || !core.misShaped.isEmpty()) {
            throw new CheckpointException(what, core.missing, unexpected, core.misShaped);
        }
    }
}
