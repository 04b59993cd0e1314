package ai.booth.diffusion.nn;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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

    static TensorSource of(SafeTensors file, String name) {
        SafeTensors.Entry entry = file.entry(name);
        return new TensorSource() {
            public Shape shape() {
                return entry.shape();
            }

            public String origin() {
                return name;
            }

            public NDArray load(NDManager manager, DataType dtype) {
                return file.load(name, manager, dtype);
            }
        };
    }

    static TensorSource of(String name, NDArray array) {
        return new TensorSource() {
            public Shape shape() {
                return array.getShape();
            }

            public String origin() {
                return name;
            }

            public NDArray load(NDManager manager, DataType dtype) {
                NDArray onDevice = array.toDevice(manager.getDevice(), false);
                boolean cast = dtype != null && onDevice.getDataType().isFloating() && onDevice.getDataType() != dtype;
                NDArray copy = cast ? onDevice.toType(dtype, true) : onDevice.duplicate();
                if (onDevice != array) {
                    onDevice.close();
                }
                copy.attach(manager);
                return copy;
            }
        };
    }

    /** The same data viewed with another shape of equal size (e.g. a 1×1 conv kernel used as a linear weight). */
    static TensorSource reshaped(TensorSource src, Shape shape) {
        if (src.shape().size() != shape.size()) {
            throw new IllegalArgumentException(src.origin() + ": cannot view " + src.shape() + " as " + shape);
        }
        return new TensorSource() {
            public Shape shape() {
                return shape;
            }

            public String origin() {
                return src.origin();
            }

            public NDArray load(NDManager manager, DataType dtype) {
                try (NDArray whole = src.load(manager, dtype)) {
                    return whole.reshape(shape);
                }
            }
        };
    }

    /** Rows {@code [begin, end)} of the first axis (e.g. q, k or v of a fused attention projection). */
    static TensorSource rows(TensorSource src, long begin, long end) {
        long[] dims = src.shape().getShape().clone();
        dims[0] = end - begin;
        Shape shape = new Shape(dims);
        return new TensorSource() {
            public Shape shape() {
                return shape;
            }

            public String origin() {
                return src.origin() + "[" + begin + ":" + end + "]";
            }

            public NDArray load(NDManager manager, DataType dtype) {
                try (NDArray whole = src.load(manager, dtype); NDArray view = whole.get(new NDIndex(begin + ":" + end))) {
                    return view.duplicate();
                }
            }
        };
    }
}
