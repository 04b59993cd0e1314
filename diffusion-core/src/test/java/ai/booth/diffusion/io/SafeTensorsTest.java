package ai.booth.diffusion.io;

import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {

    @TempDir
    Path tmp;

    @Test
    void readsFixtureHeaderMetadataAndValues() {
        Path lora = Reference.fixturesDir().resolve("lora/peft.safetensors");
        try (SafeTensors st = SafeTensors.open(lora); NDManager m = NDManager.newBaseManager()) {
            assertFalse(st.metadata().isEmpty(), "PEFT file carries rank/alpha metadata");
            String name = st.names().iterator().next();
            NDArray a = st.load(name, m);
            assertEquals(st.entry(name).shape(), a.getShape());
            assertEquals(DataType.FLOAT32, a.getDataType());
            // The tensor must own its memory: the mapping may go away once the file is closed.
            System.gc();
            assertTrue(Float.isFinite(a.sum().getFloat()));
        }
    }

    @Test
    void roundTripsEveryDtypeAndMetadata() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            NDArray base = m.arange(0f, 24f).reshape(2, 3, 4).div(7f);
            in.put("f32", base);
            in.put("f16", base.toType(DataType.FLOAT16, false));
            in.put("i64", m.arange(0, 77, 1, DataType.INT64).reshape(1, 77));
            in.put("scalar", m.create(2.5f));
            Path file = tmp.resolve("t.safetensors");
            SafeTensors.write(file, in, Map.of("lora_rank", "4", "note", "ü"));

            try (SafeTensors st = SafeTensors.open(file)) {
                assertEquals(Map.of("lora_rank", "4", "note", "ü"), st.metadata());
                assertEquals(in.keySet(), st.names());
                for (String k : in.keySet()) {
                    NDArray back = st.load(k, m);
                    assertEquals(in.get(k).getDataType(), back.getDataType(), k);
                    assertEquals(in.get(k).getShape(), back.getShape(), k);
                    assertTrue(in.get(k).contentEquals(back), k);
                }
                assertEquals(new Shape(), st.entry("scalar").shape());
                assertEquals(DataType.INT64, st.load("i64", m, DataType.FLOAT16).getDataType(),
                        "integer tensors keep their type when weights are cast");
            }
        }
    }

    @Test
    void storesAndLoadsBFloat16() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 1 + 2^-8 lies exactly halfway between two bf16 values: ties go to even (1.0); 1 + 3·2^-8 rounds up.
            NDArray values = m.create(new float[] {1f, -2.5f, 1f + 1f / 256, 1f + 3f / 256, 3.14159f, 0f});
            Path file = tmp.resolve("bf16.safetensors");
            SafeTensors.write(file, Map.of("w", values), Map.of(), true);
            try (SafeTensors st = SafeTensors.open(file)) {
                assertEquals("BF16", st.entry("w").storedDtype());
                float[] back = st.load("w", m).toFloatArray();
                assertArrayEquals(new float[] {1f, -2.5f, 1f, 1f + 4f / 256, 3.140625f, 0f}, back);
                assertEquals(DataType.FLOAT16, st.load("w", m, DataType.FLOAT16).getDataType());
            }
        }
    }

    @Test
    void rejectsTruncatedAndForeignFiles() throws IOException {
        Path junk = tmp.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(junk));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());

        Path good = Reference.fixturesDir().resolve("lora/peft.safetensors");
        byte[] bytes = Files.readAllBytes(good);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(cut));
        assertTrue(e.getMessage().contains("outside the file"), e.getMessage());
    }
}
