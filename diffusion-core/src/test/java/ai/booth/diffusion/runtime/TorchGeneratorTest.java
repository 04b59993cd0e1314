package ai.booth.diffusion.runtime;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bit-exactness of {@link TorchGenerator} with PyTorch.
 *
 * <p>{@code torch-randn.safetensors} was written with Debian's python3-torch 1.13.1 (CPU capability AVX2): each
 * tensor is {@code torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed)).flatten()[from:to]}, the
 * seed, shape and slice in the file's metadata under the tensor's name; {@code seq7} is one generator seeded 7
 * drawing tensors of the listed sizes, concatenated. The second check compares whole tensors with the libtorch
 * 2.7.1 that DJL runs, seeded through the engine's global generator.
 */
class TorchGeneratorTest {

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    private static Map<String, String> fields(String spec) {
        Map<String, String> out = new HashMap<>();
        for (String kv : spec.split(";")) {
            String[] p = kv.split("=", 2);
            out.put(p[0], p[1]);
        }
        return out;
    }

    @Test
    void matchesTorchReferenceFileBitForBit() throws URISyntaxException {
        Path file = Path.of(getClass().getResource("/torch-randn.safetensors").toURI());
        int checked = 0;
        try (SafeTensors ref = SafeTensors.open(file); NDManager manager = NDManager.newBaseManager()) {
            for (String name : ref.names()) {
                float[] expected = ref.load(name, manager).toFloatArray();
                Map<String, String> f = fields(ref.metadata().get(name));
                TorchGenerator generator = new TorchGenerator(Long.parseLong(f.get("seed")));
                float[] actual;
                if (f.containsKey("draws")) {
                    actual = new float[0];
                    for (String draw : f.get("draws").split("\\|")) {
                        float[] next = generator.randn(Long.parseLong(draw));
                        float[] joined = Arrays.copyOf(actual, actual.length + next.length);
                        System.arraycopy(next, 0, joined, actual.length, next.length);
                        actual = joined;
                    }
                } else {
                    long numel = Arrays.stream(f.get("shape").split(",")).mapToLong(Long::parseLong)
                            .reduce(1, (a, b) -> a * b);
                    actual = Arrays.copyOfRange(generator.randn(numel),
                            Integer.parseInt(f.get("from")), Integer.parseInt(f.get("to")));
                }
                assertArrayEquals(bits(expected), bits(actual), name + " (" + ref.metadata().get(name) + ")");
                checked++;
            }
        }
        assertTrue(checked >= 9, "reference file holds " + checked + " cases");
    }

    @Test
    void matchesLibtorchOfTheEngineOnWholeTensors() {
        Engine engine = Engine.getEngine("PyTorch");
        long[][] shapes = {{1}, {3}, {15}, {16}, {17}, {7, 5}, {2, 4, 16, 16}, {1, 4, 64, 64}, {1, 4, 13, 13}};
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int seed : new int[] {0, 1, 42, 31337, -5}) {
                for (long[] dims : shapes) {
                    Shape shape = new Shape(dims);
                    engine.setRandomSeed(seed); // torch::manual_seed on the default CPU generator
                    float[] torch = manager.randomNormal(shape).toFloatArray();
                    float[] ours = new TorchGenerator(Integer.toUnsignedLong(seed)).randn(shape.size());
                    assertArrayEquals(bits(torch), bits(ours), "seed " + seed + " shape " + shape);
                }
            }
        }
    }

    @Test
    void randintMatchesLibtorchOfTheEngine() {
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int seed : new int[] {0, 7, 1234}) {
                for (long[] range : new long[][] {{0, 1000}, {0, 1}, {-5, 17}, {0, 1L << 24}, {0, (1L << 24) + 1}}) {
                    engine.setRandomSeed(seed);
                    long[] torch = manager.randomInteger(range[0], range[1], new Shape(37), DataType.INT64)
                            .toLongArray();
                    long[] ours = new TorchGenerator(seed).randint(range[0], range[1], 37);
                    assertArrayEquals(torch, ours, "seed " + seed + " range " + Arrays.toString(range));
                }
            }
        }
    }

    @Test
    void restoredStateContinuesEveryKindOfDrawExactly() {
        TorchGenerator generator = new TorchGenerator(2024);
        generator.randn(3);         // scalar path: leaves a cached normal
        generator.randint(0, 1000, 5);
        TorchGenerator.State saved = TorchGenerator.State.decode(generator.state().encode());
        assertEquals(generator.state(), saved);
        float[] n1 = generator.randn(1);
        float[] n2 = generator.randn(700);   // crosses a twist of the 624-word state
        float[] u = generator.rand(9);
        long[] t = generator.randint(0, 1000, 4);

        TorchGenerator resumed = new TorchGenerator(1);
        resumed.restore(saved);
        assertArrayEquals(bits(n1), bits(resumed.randn(1)));
        assertArrayEquals(bits(n2), bits(resumed.randn(700)));
        assertArrayEquals(bits(u), bits(resumed.rand(9)));
        assertArrayEquals(t, resumed.randint(0, 1000, 4));
        assertEquals(2024, resumed.seed());
    }

    @Test
    void onlyTheLow32BitsOfTheSeedMatterAsInTorch() {
        assertArrayEquals(bits(new TorchGenerator(5).randn(40)), bits(new TorchGenerator((1L << 32) + 5).randn(40)));
        assertFalse(Arrays.equals(new TorchGenerator(5).randn(40), new TorchGenerator(6).randn(40)));
    }

    @Test
    void manualSeedRestartsTheStreamAndDrawsContinueIt() {
        TorchGenerator generator = new TorchGenerator(11);
        float[] first = generator.randn(64);
        float[] second = generator.randn(64);
        assertFalse(Arrays.equals(first, second), "a second draw continues the stream");
        generator.manualSeed(11);
        assertArrayEquals(bits(first), bits(generator.randn(64)));
        assertEquals(11, generator.seed());
    }

    @Test
    void ndArrayHasShapeDtypeAndTheSameValues() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray noise = new TorchGenerator(3).randn(manager, new Shape(2, 4, 8, 8));
            assertEquals(new Shape(2, 4, 8, 8), noise.getShape());
            assertEquals(DataType.FLOAT32, noise.getDataType());
            assertArrayEquals(bits(new TorchGenerator(3).randn(512)), bits(noise.toFloatArray()));
            float mean = noise.mean().getFloat();
            float std = noise.sub(mean).pow(2).mean().sqrt().getFloat();
            assertTrue(Math.abs(mean) < 0.15 && Math.abs(std - 1) < 0.1, "mean " + mean + " std " + std);
        }
    }

    @Test
    void instancesAreIndependentAcrossThreads() throws Exception {
        float[] alone = new TorchGenerator(21).randn(4096);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            TorchGenerator shared = new TorchGenerator(99);
            Future<?>[] noise = new Future<?>[8];
            for (int i = 0; i < noise.length; i++) {
                // Other threads hammer another generator meanwhile: per-instance state must not leak.
                noise[i] = pool.submit(() -> shared.randn(1000));
            }
            Future<float[]> mine = pool.submit(() -> new TorchGenerator(21).randn(4096));
            for (Future<?> f : noise) {
                f.get();
            }
            assertArrayEquals(bits(alone), bits(mine.get()));
        } finally {
            pool.shutdownNow();
        }
    }
}
