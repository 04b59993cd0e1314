package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Initial noise given as a file: a safetensors file holding one tensor [n, latent channels, h, w] (or several, one
 * of them named {@code latents}), unscaled like diffusers' {@code latents=} argument.
 */
public final class InitialLatents {

    public static final String TENSOR_NAME = "latents";

    private InitialLatents() {
    }

    /** The tensor's shape, read from the header. */
    public static Shape shape(Path file) {
        try (SafeTensors st = open(file)) {
            return st.entry(tensorName(st)).shape();
        }
    }

    /** The tensor as float32 in {@code manager}. */
    static NDArray load(Path file, NDManager manager) {
        try (SafeTensors st = open(file)) {
            return st.load(tensorName(st), manager, DataType.FLOAT32);
        }
    }

    private static SafeTensors open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("initial latents " + file + " does not exist");
        }
        return SafeTensors.open(file);
    }

    private static String tensorName(SafeTensors st) {
        String name = st.names().size() == 1 ? st.names().iterator().next() : TENSOR_NAME;
        if (!st.contains(name)) {
            throw new IllegalArgumentException("initial latents " + st.file() + " must hold one tensor or one named '"
                    + TENSOR_NAME + "', found " + st.names());
        }
        Shape s = st.entry(name).shape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("initial latents " + st.file() + ": tensor " + name
                    + " must be [n, channels, h, w], got " + s);
        }
        return name;
    }
}
