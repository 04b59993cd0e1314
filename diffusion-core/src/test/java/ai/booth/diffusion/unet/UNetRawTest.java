package ai.booth.diffusion.unet;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class UNetRawTest {
    @Test
    void matches() {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager();
             SafeTensors st = SafeTensors.open(ref.modelDir().resolve("unet/diffusion_pytorch_model.safetensors"))) {
            UNet2DConditionConfig config = UNet2DConditionConfig.read(ref.modelDir().resolve("unet/config.json"));
            StateDict w = StateDict.of(st, m.newSubManager(), DataType.FLOAT32);
            UNet2DConditionModel model = new UNet2DConditionModel(config, w);
            w.finish("unet");
            JsonNode c = ref.testCase("unet");
            NDArray out = model.forward(CaseTensors.load(ref, c.get("inputs").get(0).asText(), m),
                    CaseTensors.load(ref, c.get("inputs").get(1).asText(), m),
                    CaseTensors.load(ref, c.get("inputs").get(2).asText(), m));
            String expected = c.get("output").asText();
            Reference.assertClose(expected, out, CaseTensors.load(ref, expected, m), ref.tolerance("float32"));
        }
    }
}
