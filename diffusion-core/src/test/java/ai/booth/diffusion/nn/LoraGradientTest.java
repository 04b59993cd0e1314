package ai.booth.diffusion.nn;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forwards free their temporaries as they go (Scope) and work in place only without autograd; backward through a
 * whole UNet must still reach the LoRA factors, with the gradient the loss really has.
 */
class LoraGradientTest {

    @Test
    void backwardThroughTheUnetReachesLoraFactors() {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults())) {
            JsonNode c = ref.testCase("unet");
            List<NDArray> in = new ArrayList<>();
            c.get("inputs").forEach(n -> in.add(CaseTensors.load(ref, n.asText(), m)));
            Map.Entry<String, Linear> target = model.unet().linears().entrySet().stream()
                    .filter(e -> e.getKey().endsWith("attn2.to_k")).findFirst().orElseThrow();
            Linear linear = target.getValue();
            NDArray a = m.randomNormal(0, 0.1f, new Shape(2, linear.inFeatures()), DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 0.1f, new Shape(linear.outFeatures(), 2), DataType.FLOAT32);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            LoraBranch lora = new LoraBranch(target.getKey(), a, b, 2f, 1f);
            linear.addLora(lora);

            float loss;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray out = model.unet().forward(in.get(0), in.get(1), in.get(2));
                NDArray l = out.square().mean();
                loss = l.getFloat();
                collector.backward(l);
            }
            NDArray gradB = b.getGradient().duplicate();
            assertTrue(gradB.abs().max().getFloat() > 0, "no gradient reached lora_B of " + target.getKey());

            // directional derivative along gradB: (L(B + εg) − L(B − εg)) / 2ε ≈ |g|²
            float eps = 1e-2f / gradB.norm().getFloat();
            double expected = gradB.square().sum().getFloat();
            float[] losses = new float[2];
            NDArray original = b.duplicate();
            for (int i = 0; i < 2; i++) {
                b.set(original.add(gradB.mul(i == 0 ? eps : -eps)).toFloatArray());
                losses[i] = model.unet().forward(in.get(0), in.get(1), in.get(2)).square().mean().getFloat();
            }
            double numeric = (losses[0] - losses[1]) / (2.0 * eps);
            assertTrue(Math.abs(numeric - expected) < 0.05 * expected,
                    "finite difference " + numeric + " vs autograd " + expected + " (loss " + loss + ")");
            linear.removeLora(lora);
        }
    }
}
