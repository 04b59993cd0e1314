package ai.booth.diffusion.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EngineOptionsTest {

    @Test
    void defaultsToCpuFloat32AndParsesAliases() {
        assertEquals(new EngineOptions(Device.cpu(), DataType.FLOAT32), EngineOptions.defaults());
        assertEquals(EngineOptions.defaults(), EngineOptions.parse(null, null));
        assertEquals(DataType.FLOAT16, EngineOptions.parse("CPU", "fp16").dtype());
        assertEquals(DataType.FLOAT32, EngineOptions.parse("cpu", "float32").dtype());
        assertEquals(Device.gpu(1), EngineOptions.parseDevice("gpu:1"));
        assertEquals(Device.gpu(0), EngineOptions.parseDevice("cuda"));
    }

    @Test
    void bfloat16IsRefusedWithTheReason() {
        for (String name : new String[] {"bf16", "bfloat16"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineOptions.parse("cpu", name));
            assertTrue(e.getMessage().contains("DJL") && e.getMessage().contains("float16"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(Device.cpu(), DataType.BFLOAT16));
    }

    @Test
    void unknownNamesAndMissingGpusAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineOptions.parse("tpu", "fp32"))
                .getMessage().contains("tpu"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EngineOptions.parse("cpu", "int8"))
                .getMessage().contains("int8"));
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineOptions.parse("gpu", "fp32"));
        assertTrue(e.getMessage().contains("CUDA"), e.getMessage());
    }
}
