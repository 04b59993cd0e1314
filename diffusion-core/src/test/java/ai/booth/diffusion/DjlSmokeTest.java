package ai.booth.diffusion;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.*;

class DjlSmokeTest {
    @Test
    void pytorchEngineRunsOffline() {
        System.out.println(Engine.getEngine("PyTorch").getVersion());
        try (NDManager m = NDManager.newBaseManager()) {
            var a = m.ones(new Shape(2, 2));
            assertEquals(4f, a.sum().getFloat());
        }
    }
}
