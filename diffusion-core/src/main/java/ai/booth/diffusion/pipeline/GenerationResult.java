package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The images of one request, in seed order, and how long the request took. */
public record GenerationResult(List<ImageResult> images, Duration elapsed) {

    public GenerationResult {
        images = List.copyOf(images);
    }

    /** The tensor name {@link #saveTensor} writes. */
    public static final String TENSOR_NAME = "image";

    /**
     * Saves the float images as one float32 tensor {@code image} [n, 3, height, width] in [0, 1] (NCHW, before
     * uint8), for comparison with other implementations; the first image's infotext goes into the metadata.
     */
    public void saveTensor(Path file) {
        ImageResult first = images.get(0);
        float[] all = new float[images.size() * first.pixels().length];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).pixels(), 0, all, i * first.pixels().length, first.pixels().length);
        }
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDArray tensor = manager.create(all, new Shape(images.size(), 3, first.height(), first.width()));
            SafeTensors.write(file, Map.of(TENSOR_NAME, tensor), Map.of(PngFiles.PARAMETERS, first.infotext()));
        }
    }
}
