package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextConfig;
import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SD-2 single files carry OpenCLIP text towers (fused in_proj, resblocks, ln_final). The fixture's text encoder
 * rewritten in that layout — plus one trailing resblock, which SD-2 never uses — must give the reference outputs.
 */
class OpenClipLayoutTest {

    @Test
    void openClipLayoutMapsToTheSameModel(@TempDir Path tmp) {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager()) {
            CLIPTextConfig config = CLIPTextConfig.read(ref.modelDir().resolve("text_encoder/config.json"));
            Map<String, NDArray> hf = SafeTensors.read(ref.modelDir().resolve("text_encoder/model.safetensors"), m);
            Map<String, NDArray> open = new LinkedHashMap<>();
            String p = "cond_stage_model.model.";
            open.put(p + "token_embedding.weight", hf.get("text_model.embeddings.token_embedding.weight"));
            open.put(p + "positional_embedding", hf.get("text_model.embeddings.position_embedding.weight"));
            open.put(p + "ln_final.weight", hf.get("text_model.final_layer_norm.weight"));
            open.put(p + "ln_final.bias", hf.get("text_model.final_layer_norm.bias"));
            open.put(p + "text_projection", m.eye(config.hiddenSize()));
            for (int i = 0; i <= config.numHiddenLayers(); i++) {
                int src = Math.min(i, config.numHiddenLayers() - 1);  // the extra last block copies the real last one
                String h = "text_model.encoder.layers." + src + ".";
                String o = p + "transformer.resblocks." + i + ".";
                for (String kind : new String[] {"weight", "bias"}) {
                    open.put(o + "attn.in_proj_" + kind, NDArrays.concat(new NDList(hf.get(h + "self_attn.q_proj." + kind),
                            hf.get(h + "self_attn.k_proj." + kind), hf.get(h + "self_attn.v_proj." + kind)), 0));
                    open.put(o + "attn.out_proj." + kind, hf.get(h + "self_attn.out_proj." + kind));
                    open.put(o + "ln_1." + kind, hf.get(h + "layer_norm1." + kind));
                    open.put(o + "ln_2." + kind, hf.get(h + "layer_norm2." + kind));
                    open.put(o + "mlp.c_fc." + kind, hf.get(h + "mlp.fc1." + kind));
                    open.put(o + "mlp.c_proj." + kind, hf.get(h + "mlp.fc2." + kind));
                }
            }
            Path file = tmp.resolve("openclip.safetensors");
            SafeTensors.write(file, open, Map.of());

            try (SafeTensors st = SafeTensors.open(file)) {
                assertTrue(LdmLayout.isOpenClip(st));
                CLIPTextModel model = ComponentBuilder.build("openclip", LdmLayout.openClip(st, config),
                        m.getDevice(), ai.djl.ndarray.types.DataType.FLOAT32, w -> new CLIPTextModel(config, w));
                JsonNode c = ref.testCase("text_encoder");
                NDArray ids = CaseTensors.load(ref, c.get("inputs").asText(), m);
                String expected = c.get("outputs").get(0).asText();
                Reference.assertClose(expected, model.forward(ids, 1), CaseTensors.load(ref, expected, m),
                        ref.tolerance("float32"));
                model.close();
            }
        }
    }
}
