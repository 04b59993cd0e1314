package ai.booth.diffusion.train;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.NoiseSource;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.booth.diffusion.vae.DiagonalGaussian;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's training data after the VAE: for every instance and class image its prompt and the VAE posterior (mean
 * and standard deviation, float32 on the CPU), encoded once per job — and, with random flips, the posterior of the
 * mirrored image too (a mirrored latent is not the latent of the mirrored image, so both are encoded). Each use
 * takes the mean or, as diffusers' {@code latent_dist.sample()}, a fresh sample from the posterior, times the VAE's
 * scaling factor. The cache is the whole prepared dataset: a checkpoint carries it and resumes without the images.
 */
public final class LatentCache implements AutoCloseable {

    /** Instance or class part of the data. */
    public enum Part { INSTANCE, CLASS }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NDManager manager;
    private final Map<String, NDArray> tensors;
    private final Map<Part, List<String>> prompts;
    private final float scalingFactor;
    private final boolean flips;

    private LatentCache(NDManager manager, Map<String, NDArray> tensors, Map<Part, List<String>> prompts,
                        float scalingFactor, boolean flips) {
        this.manager = manager;
        this.tensors = tensors;
        this.prompts = prompts;
        this.scalingFactor = scalingFactor;
        this.flips = flips;
    }

    /**
     * Encodes every image of {@code data} at {@code resolution} (one at a time), and its mirror image too when
     * {@code flips}; {@code progress} hears (done, total) after each image.
     */
    public static LatentCache encode(StableDiffusionModel model, DreamBoothDataset data, int resolution,
                                     boolean flips, ProgressListener progress) {
        AutoencoderKL vae = model.vae();
        NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Map<Part, List<String>> prompts = new LinkedHashMap<>();
            int total = data.instances().size() + data.classes().size();
            int[] done = {0};
            for (Part part : Part.values()) {
                List<DreamBoothDataset.Example> examples = part == Part.INSTANCE ? data.instances() : data.classes();
                prompts.put(part, examples.stream().map(DreamBoothDataset.Example::prompt).toList());
                if (examples.isEmpty()) {
                    continue;
                }
                List<float[]>[] parts = newLists(4);
                Shape latentShape = null;
                for (DreamBoothDataset.Example e : examples) {
                    var square = TrainingImages.square(e.image().get(), resolution);
                    for (int f = 0; f < (flips ? 2 : 1); f++) {
                        latentShape = posterior(model, TrainingImages.pixels(square, f == 1), resolution,
                                parts[2 * f], parts[2 * f + 1]);
                    }
                    progress.preparing("encoding images", ++done[0], total);
                }
                String p = key(part);
                tensors.put(p + ".mean", stack(manager, parts[0], latentShape));
                tensors.put(p + ".std", stack(manager, parts[1], latentShape));
                if (flips) {
                    tensors.put(p + ".flip_mean", stack(manager, parts[2], latentShape));
                    tensors.put(p + ".flip_std", stack(manager, parts[3], latentShape));
                }
            }
            return new LatentCache(manager, tensors, prompts, vae.scalingFactor(), flips);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<float[]>[] newLists(int n) {
        List<float[]>[] lists = new List[n];
        for (int i = 0; i < n; i++) {
            lists[i] = new ArrayList<>();
        }
        return lists;
    }

    /** Encodes one image; adds its posterior mean and std to the lists and returns the latent shape [C, h, w]. */
    private static Shape posterior(StableDiffusionModel model, float[] pixels, int resolution, List<float[]> means,
                                   List<float[]> stds) {
        try (NDManager scratch = NDManager.newBaseManager(model.options().device())) {
            NDArray image = scratch.create(pixels, new Shape(1, 3, resolution, resolution));
            DiagonalGaussian posterior = model.vae().encode(image);
            means.add(posterior.mean().toType(DataType.FLOAT32, false).toFloatArray());
            stds.add(posterior.std().toType(DataType.FLOAT32, false).toFloatArray());
            Shape s = posterior.mean().getShape();
            return new Shape(s.get(1), s.get(2), s.get(3));
        }
    }

    private static NDArray stack(NDManager manager, List<float[]> rows, Shape shape) {
        float[] all = new float[rows.size() * (int) shape.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * (int) shape.size(), (int) shape.size());
        }
        return manager.create(all, new Shape(rows.size()).addAll(shape));
    }

    private static String key(Part part) {
        return part == Part.INSTANCE ? "instance" : "class";
    }

    public int size(Part part) {
        return prompts.get(part).size();
    }

    public String prompt(Part part, int index) {
        return prompts.get(part).get(index);
    }

    public boolean hasFlips() {
        return flips;
    }

    public float scalingFactor() {
        return scalingFactor;
    }

    /**
     * Scaled latents [1, C, h, w] of one image in {@code into}: the posterior mean, or a sample from it drawn from
     * {@code sampler} when it is not null.
     */
    public NDArray latents(Part part, int index, boolean flipped, NoiseSource sampler, NDManager into) {
        if (flipped && !flips) {
            throw new IllegalArgumentException("the cache holds no mirrored latents (encoded without random flips)");
        }
        String p = key(part) + (flipped ? ".flip_" : ".");
        NDIndex row = new NDIndex(index + ":" + (index + 1));
        NDArray mean = tensors.get(p + "mean").get(row);
        mean.attach(into);
        NDArray x = mean;
        if (sampler != null) {
            NDArray std = tensors.get(p + "std").get(row);
            std.attach(into);
            x = x.add(std.mul(sampler.randn(into, mean.getShape())));
        }
        return x.mul(scalingFactor);
    }

    /** Writes the cache (tensors and prompts) as one safetensors file, atomically. */
    public void save(Path file) {
        Map<String, String> meta = new LinkedHashMap<>();
        try {
            meta.put("prompts", JSON.writeValueAsString(prompts));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        meta.put("scaling_factor", Float.toString(scalingFactor));
        meta.put("flips", Boolean.toString(flips));
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a cache written by {@link #save}. */
    public static LatentCache load(Path file) {
        NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            if (!meta.containsKey("prompts") || !meta.containsKey("scaling_factor")) {
                throw new IllegalArgumentException("not a latent cache (no prompts/scaling_factor metadata)");
            }
            Map<Part, List<String>> prompts = JSON.readValue(meta.get("prompts"),
                    new TypeReference<LinkedHashMap<Part, List<String>>>() { });
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : st.names()) {
                NDArray loaded = st.load(name, manager);
                tensors.put(name, loaded.duplicate());   // own memory, not a view of a file that may go away
                loaded.close();
            }
            return new LatentCache(manager, tensors, prompts, Float.parseFloat(meta.get("scaling_factor")),
                    Boolean.parseBoolean(meta.get("flips")));
        } catch (JsonProcessingException e) {
            manager.close();
            throw new IllegalArgumentException("latent cache " + file + ": bad prompts metadata: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            manager.close();
            throw new IllegalArgumentException("latent cache " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
