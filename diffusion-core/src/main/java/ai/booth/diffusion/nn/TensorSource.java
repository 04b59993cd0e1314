package ai.booth.diffusion.nn;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.function.BiFunction;

/**
 * Where one weight comes from: its shape (known before anything is read, so shapes are checked first) and how to
 * load it onto a manager in a dtype. Checkpoint layouts differ only in names and a few reshapes or slices, which
 * {@link #reshaped} and {@link #rows} express without copying the file.
 */
public interface TensorSource {

    Shape shape();

    /** Name in the file it comes from, for error messages. */
    String origin();

    NDArray load(NDManager manager, DataType dtype);

    /** A source described by its shape and origin, loaded by a function. */
    record Lazy(Shape shape, String origin, BiFunction<NDManager, DataType, NDArray> loader) implements TensorSource {
        public NDArray load(NDManager manager, DataType dtype) {
            return loader.apply(manager, dtype);
        }
    }

    /** A tensor of a safetensors file, read (memory-mapped) only when loaded. */
    static TensorSource of(SafeTensors file, String name) {
        return new Lazy(file.entry(name).shape(), name, (manager, dtype) -> file.load(name, manager, dtype));
    }

    /** A copy of an array that is already in memory (e.g. to rebuild a model from another's weights). */
    static TensorSource of(String name, NDArray array) {
        return new Lazy(array.getShape(), name, (manager, dtype) -> {
            NDArray onDevice = array.toDevice(manager.getDevice(), false);
            boolean cast = dtype != null && onDevice.getDataType().isFloating() && onDevice.getDataType() != dtype;
            NDArray copy = cast ? onDevice.toType(dtype, true) : onDevice.duplicate();
            if (onDevice != array) {
                onDevice.close();
            }
            copy.attach(manager);
            return copy;
        });
    }

    /** The same data viewed with another shape of equal size (e.g. a 1×1 conv kernel used as a linear weight). */
    static TensorSource reshaped(TensorSource src, Shape shape) {
        if (src.shape().size() != shape.size()) {
            throw new IllegalArgumentException(src.origin() + ": cannot view " + src.shape() + " as " + shape);
        }
        return new Lazy(shape, src.origin(), (manager, dtype) -> {
            // A copy, not a view: a float32 tensor loads over the file's mapping, which is unmapped once the
            // closed array's buffer is collected — a view of it would then read freed memory.
            try (NDArray whole = src.load(manager, dtype); NDArray view = whole.reshape(shape)) {
                return view.duplicate();
            }
        });
    }

    /** Rows {@code [begin, end)} of the first axis (e.g. q, k or v of a fused attention projection). */
    static TensorSource rows(TensorSource src, long begin, long end) {
        long[] dims = src.shape().getShape().clone();
        dims[0] = end - begin;
        return new Lazy(new Shape(dims), src.origin() + "[" + begin + ":" + end + "]", (manager, dtype) -> {
            try (NDArray whole = src.load(manager, dtype); NDArray view = whole.get(new NDIndex(begin + ":" + end))) {
                return view.duplicate();
            }
        });
    }
}
