package ai.booth.diffusion.nn;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.AttachedLora;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraModule;
import ai.booth.diffusion.lora.LoraTargets;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backward must not depend on the garbage collector. DJL's {@code mul(Number)} multiplies by a tensor over a Java
 * buffer and closes it at once, while autograd keeps it for backward; a GC between forward and backward then freed
 * it and gradients came out NaN. With the scalars allocated by libtorch ({@link Ops#scale}), a GC there changes
 * nothing, bit for bit.
 */
class AutogradScalarsTest {

    @Test
    void gradientsAreTheSameWhetherOrNotTheCollectorRunsBeforeBackward() throws InterruptedException {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
             LoraAdapter adapter = LoraAdapter.create("gc", model, LoraTargets.attention(true), 4, 2f,
                     new TorchGenerator(5));
             AttachedLora attached = adapter.attach(model, 1f, 1f)) {
            JsonNode c = ref.testCase("unet");
            List<NDArray> in = new ArrayList<>();
            c.get("inputs").forEach(n -> in.add(CaseTensors.load(ref, n.asText(), m)));
            long batch = in.get(0).getShape().get(0);
            NDArray ids = CaseTensors.load(ref, ref.testCase("text_encoder").get("inputs").asText(), m)
                    .get(new NDIndex("0:" + batch));
            for (LoraModule mod : adapter.modules()) {
                // B starts at zero; make it non-zero so every factor gets a gradient
                mod.up().addi(m.randomNormal(0f, 0.05f, mod.up().getShape(), mod.up().getDataType()));
                mod.down().setRequiresGradient(true);
                mod.up().setRequiresGradient(true);
            }
            float[] plain = gradients(model, adapter, in, ids, false);
            float[] collected = gradients(model, adapter, in, ids, true);
            for (float g : collected) {
                assertTrue(Float.isFinite(g), "a gradient is not finite after a GC between forward and backward");
            }
            assertArrayEquals(plain, collected, "a GC between forward and backward changed the gradients");
        }
    }

    private static float[] gradients(StableDiffusionModel model, LoraAdapter adapter, List<NDArray> in, NDArray ids,
                                     boolean collectGarbage) throws InterruptedException {
        try (NDManager step = in.get(0).getManager().newSubManager()) {
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray text = model.textEncoder().forward(ids, 1);
                NDArray loss = model.unet().forward(in.get(0), in.get(1), text).square().mean();
                if (collectGarbage) {
                    System.gc();
                    Thread.sleep(300);   // let the cleaner free unreachable direct buffers
                }
                collector.backward(loss);
            }
            List<Float> all = new ArrayList<>();
            for (LoraModule mod : adapter.modules()) {
                for (NDArray factor : List.of(mod.down(), mod.up())) {
                    NDArray g = factor.getGradient();
                    g.attach(step);
                    for (float v : g.toFloatArray()) {
                        all.add(v);
                    }
                    ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) factor);
                }
            }
            float[] out = new float[all.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = all.get(i);
            }
            return out;
        }
    }
}
