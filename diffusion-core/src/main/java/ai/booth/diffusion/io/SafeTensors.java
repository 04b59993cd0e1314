package ai.booth.diffusion.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reader and writer for the safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets}}} with optional {@code __metadata__}, then raw little-endian data.
 *
 * <p>Tensors are read lazily, one memory-mapped region at a time, so loading a multi-gigabyte checkpoint never
 * holds the file in the Java heap: the only copy that stays is the tensor on its target device, already cast.
 */
public final class SafeTensors implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    /**
     * One tensor's entry in the header. Offsets are relative to the start of the data section. {@code dtype} is
     * the type the tensor is loaded as: BF16 data is widened to FLOAT32 on load because DJL 0.35's PyTorch
     * bindings cannot hold bfloat16 tensors ({@link #storedDtype} keeps the file's own code).
     */
    public record Entry(String name, String storedDtype, DataType dtype, Shape shape, long begin, long end) {
        public long byteSize() {
            return end - begin;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
                        Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafeTensors open(Path file) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > channel.size()) {
                throw new SafeTensorsException(file + ": not a safetensors file (header length " + headerLength + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            Map<String, Object> json = JSON.readValue(new String(header.array(), StandardCharsets.UTF_8),
                    new TypeReference<LinkedHashMap<String, Object>>() { });
            long dataStart = 8 + headerLength;
            long dataSize = channel.size() - dataStart;
            Map<String, String> metadata = new TreeMap<>();
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : json.entrySet()) {
                if ("__metadata__".equals(e.getKey())) {
                    ((Map<?, ?>) e.getValue()).forEach((k, v) -> metadata.put(k.toString(), String.valueOf(v)));
                    continue;
                }
                Entry entry = parseEntry(file, e.getKey(), (Map<?, ?>) e.getValue());
                if (entry.end > dataSize || entry.begin > entry.end) {
                    throw new SafeTensorsException(file + ": tensor '" + entry.name + "' lies outside the file");
                }
                entries.put(entry.name, entry);
            }
            return new SafeTensors(file, channel, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | ClassCastException e) {
            closeQuietly(channel);
            throw new SafeTensorsException(file + ": cannot read safetensors header: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Entry parseEntry(Path file, String name, Map<?, ?> value) {
        String code = String.valueOf(value.get("dtype"));
        DataType dtype = dtypeOf(file, name, code);
        long[] dims = ((java.util.List<?>) value.get("shape")).stream()
                .mapToLong(d -> ((Number) d).longValue()).toArray();
        java.util.List<?> offsets = (java.util.List<?>) value.get("data_offsets");
        long begin = ((Number) offsets.get(0)).longValue();
        long end = ((Number) offsets.get(1)).longValue();
        Shape shape = new Shape(dims);
        if (shape.size() * bytesPerElement(code, dtype) != end - begin) {
            throw new SafeTensorsException(file + ": tensor '" + name + "' has shape " + shape + " of " + dtype
                    + " but " + (end - begin) + " bytes");
        }
        return new Entry(name, code, dtype, shape, begin, end);
    }

    private static int bytesPerElement(String code, DataType dtype) {
        return "BF16".equals(code) ? 2 : dtype.getNumOfBytes();
    }

    private static DataType dtypeOf(Path file, String name, String code) {
        return switch (code) {
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new SafeTensorsException(file + ": tensor '" + name + "' has unsupported dtype " + code);
        };
    }

    private static String codeOf(DataType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("safetensors cannot store " + dtype);
        };
    }

    public Path file() {
        return file;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new SafeTensorsException(file + ": no tensor named '" + name + "'");
        }
        return e;
    }

    /** Loads a tensor with its stored dtype onto the manager's device. */
    public NDArray load(String name, NDManager manager) {
        return load(name, manager, null);
    }

    /**
     * Loads a tensor onto the manager's device, cast to {@code dtype} when it is a floating type and differs
     * (integer tensors such as {@code position_ids} keep their type). {@code null} keeps the stored dtype.
     */
    public NDArray load(String name, NDManager manager, DataType dtype) {
        Entry e = entry(name);
        NDArray array;
        try {
            ByteBuffer region = e.byteSize() == 0 ? ByteBuffer.allocateDirect(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, e.byteSize());
            region.order(ByteOrder.LITTLE_ENDIAN);
            if ("BF16".equals(e.storedDtype)) {
                region = BFloat16.widen(region);
            }
            array = manager.create(region, e.shape, e.dtype);
        } catch (IOException ex) {
            throw new UncheckedIOException(file + ": cannot read tensor '" + name + "'", ex);
        }
        array.setName(name);
        if (dtype != null && dtype != e.dtype && e.dtype.isFloating() && dtype.isFloating()) {
            NDArray cast = array.toType(dtype, false);
            cast.setName(name);
            array.close();
            return cast;
        }
        return array;
    }

    /** Loads every tensor, keeping file order. */
    public Map<String, NDArray> loadAll(NDManager manager, DataType dtype) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : entries.keySet()) {
            out.put(name, load(name, manager, dtype));
        }
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    /** Convenience: open, load everything at the stored dtype onto {@code manager}, close. */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        try (SafeTensors st = open(file)) {
            return st.loadAll(manager, null);
        }
    }

    public static Map<String, String> readMetadata(Path file) {
        try (SafeTensors st = open(file)) {
            return st.metadata();
        }
    }

    /** Writes tensors with their own dtypes; see {@link #write(Path, Map, Map, boolean)}. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, false);
    }

    /**
     * Writes tensors (in the map's order) and metadata; with {@code floatsAsBFloat16} every floating tensor is
     * stored as BF16 (round to nearest even). The file appears atomically ({@link AtomicFiles}), so a crash never
     * leaves half a file.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata,
                             boolean floatsAsBFloat16) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new TreeMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            boolean bf16 = floatsAsBFloat16 && a.getDataType().isFloating();
            long bytes = a.getShape().size() * (bf16 ? 2 : a.getDataType().getNumOfBytes());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", bf16 ? "BF16" : codeOf(a.getDataType()));
            info.put("shape", a.getShape().getShape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), info);
            offset += bytes;
        }
        try {
            byte[] json = JSON.writeValueAsBytes(header);
            // Pad the header with spaces so the data section starts 8-byte aligned, as the reference writer does.
            int padded = (json.length + 7) / 8 * 8;
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            head.flip();
            AtomicFiles.write(file, tmp -> {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    writeFully(out, head);
                    for (NDArray a : tensors.values()) {
                        writeFully(out, littleEndianBytes(a, floatsAsBFloat16 && a.getDataType().isFloating()));
                    }
                    out.force(true);
                }
            });
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    private static ByteBuffer littleEndianBytes(NDArray a, boolean asBFloat16) {
        if (!asBFloat16) {
            return a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        try (NDArray f32 = a.toType(DataType.FLOAT32, true)) {
            return BFloat16.narrow(f32.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, position + dst.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            ch.write(src);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing useful to do: the channel was read-only
            }
        }
    }
}
