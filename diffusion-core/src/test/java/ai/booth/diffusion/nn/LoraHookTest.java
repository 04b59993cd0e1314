package ai.booth.diffusion.nn;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraHookTest {

    @Test
    void branchEqualsMergedWeightAndScaleZeroIsTheBaseLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict w = StateDict.random(m, DataType.FLOAT32, 7);
            Linear linear = new Linear(w.at("proj"), 24, 16, true);
            NDArray x = m.randomNormal(new Shape(3, 5, 24));
            float[] base = linear.forward(x).toFloatArray();

            LoraBranch lora = new LoraBranch("test", m.randomNormal(new Shape(4, 24)), m.randomNormal(new Shape(16, 4)),
                    2f, 0f);
            linear.addLora(lora);
            assertArrayEquals(base, linear.forward(x).toFloatArray(), "scale 0 must be the base layer bit for bit");

            lora.setScale(0.7f);
            NDArray merged = linear.weight().add(lora.loraB().matMul(lora.loraA()).mul(0.7f * 2f / 4f));
            NDArray expected = ai.djl.nn.core.Linear.linear(x, merged, linear.bias()).singletonOrThrow();
            Reference.assertClose("LoRA branch vs merged weight", linear.forward(x), expected,
                    new Reference.Tolerance(1e-5, 1e-5));
            assertThrows(IllegalArgumentException.class, () -> linear.addLora(new LoraBranch("wrong",
                    m.zeros(new Shape(4, 23)), m.zeros(new Shape(16, 4)), 1f, 1f)));
        }
    }
}
