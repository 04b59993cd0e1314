package ai.booth.diffusion.clip;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

class CLIPTextModelTest {

    @Test
    void matchesReferenceFromRawWeights() {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager();
             SafeTensors st = SafeTensors.open(ref.modelDir().resolve("text_encoder/model.safetensors"))) {
            CLIPTextConfig config = CLIPTextConfig.read(ref.modelDir().resolve("text_encoder/config.json"));
            StateDict w = StateDict.of(st, m.newSubManager(), DataType.FLOAT32);
            CLIPTextModel model = new CLIPTextModel(config, w);
            w.finish("text encoder");
            JsonNode c = ref.testCase("text_encoder");
            NDArray ids = CaseTensors.load(ref, c.get("inputs").asText(), m);
            for (int skip = 1; skip <= 2; skip++) {
                String expected = c.get("outputs").get(skip - 1).asText();
                NDArray out = model.forward(ids, skip);
                Reference.assertClose(expected, out, CaseTensors.load(ref, expected, m), ref.tolerance("float32"));
            }
        }
    }
}
