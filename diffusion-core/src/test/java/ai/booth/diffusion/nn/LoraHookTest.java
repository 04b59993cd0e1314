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

    /**
     * Every module of the fixture's PEFT LoRA is found by name in the models' registries; attached with scale 0 the
     * outputs are bit-identical to the base model, and with the reference case's scales they match the reference
     * (which merged W + scale·alpha/rank·B·A into the weights).
     */
    @Test
    void peftModulesResolveByNameAndReproduceTheLoraCase() {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults())) {
            JsonNode c = ref.testCase("lora");
            String file = c.get("files").get(0).asText().split(" ")[0];
            float alpha = (float) c.get("alpha").asDouble();
            JsonNode unetCase = ref.testCase("unet");
            JsonNode textCase = ref.testCase("text_encoder");
            NDArray ids = CaseTensors.load(ref, textCase.get("inputs").asText(), m);
            List<NDArray> unetIn = new ArrayList<>();
            unetCase.get("inputs").forEach(n -> unetIn.add(CaseTensors.load(ref, n.asText(), m)));
            float[] baseText = model.textEncoder().forward(ids, 1).toFloatArray();
            float[] baseUnet = model.unet().forward(unetIn.get(0), unetIn.get(1), unetIn.get(2)).toFloatArray();

            List<LoraBranch> unetBranches = new ArrayList<>();
            List<LoraBranch> textBranches = new ArrayList<>();
            try (SafeTensors st = SafeTensors.open(ref.dir().resolve(file))) {
                for (String key : st.names()) {
                    if (!key.endsWith(".lora_A.weight")) {
                        continue;
                    }
                    String module = key.substring(0, key.length() - ".lora_A.weight".length());
                    boolean unet = module.startsWith("unet.");
                    String path = module.substring(module.indexOf('.') + 1);
                    Map<String, Linear> registry = unet ? model.unet().linears() : model.textEncoder().linears();
                    Linear target = registry.get(path);
                    assertNotNull(target, "no Linear registered as " + path);
                    LoraBranch b = new LoraBranch(path, st.load(key, m), st.load(module + ".lora_B.weight", m), alpha, 0f);
                    target.addLora(b);
                    (unet ? unetBranches : textBranches).add(b);
                }
            }
            assertTrue(!unetBranches.isEmpty() && !textBranches.isEmpty());
            assertArrayEquals(baseText, model.textEncoder().forward(ids, 1).toFloatArray());
            assertArrayEquals(baseUnet, model.unet().forward(unetIn.get(0), unetIn.get(1), unetIn.get(2)).toFloatArray());

            unetBranches.forEach(b -> b.setScale((float) c.get("unet_scale").asDouble()));
            textBranches.forEach(b -> b.setScale((float) c.get("text_encoder_scale").asDouble()));
            JsonNode outputs = c.get("outputs");
            outputs.fieldNames().forEachRemaining(name -> {
                String inputs = outputs.get(name).asText();
                NDArray actual = inputs.startsWith("unet") ? model.unet().forward(unetIn.get(0), unetIn.get(1),
                        unetIn.get(2)) : model.textEncoder().forward(ids, 1);
                Reference.assertClose(name, actual, ref.tensor(name, m), ref.tolerance("float32"));
            });
            assertEquals(2, outputs.size());
        }
    }
}
