package ai.booth.diffusion.eval;

import ai.booth.diffusion.clip.CLIPConfig;
import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.runtime.NoGrad;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.vit.ViTConfig;
import ai.booth.diffusion.vit.ViTModel;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The nn memory rule for the encoders: a forward adds nothing to the weights' manager and only its result to the
 * caller's.
 */
class EncoderMemoryTest {

    private static int arrays(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    @Test
    void encoderForwardsKeepOnlyTheirResults() {
        try (Reference ref = Reference.load("eval");
             NDManager weights = NDManager.newBaseManager();
             NDManager caller = NDManager.newBaseManager();
             NoGrad ignored = NoGrad.enter()) {
            Path clipDir = Reference.fixturesDir().resolve(ref.testCase("clip").get("model").asText());
            Path dinoDir = Reference.fixturesDir().resolve(ref.testCase("dino").get("model").asText());
            CLIPModel clip;
            ViTModel dino;
            try (SafeTensors c = SafeTensors.open(clipDir.resolve("model.safetensors"));
                 SafeTensors d = SafeTensors.open(dinoDir.resolve("model.safetensors"))) {
                clip = new CLIPModel(CLIPConfig.read(clipDir.resolve("config.json")),
                        StateDict.of(c, weights, DataType.FLOAT32));
                dino = new ViTModel(ViTConfig.read(dinoDir.resolve("config.json")),
                        StateDict.of(d, weights, DataType.FLOAT32));
            }
            JsonNode in = ref.testCase("clip").get("inputs");
            NDArray clipPixels = CaseTensors.load(ref, in.get(0).asText(), caller);
            NDArray ids = CaseTensors.load(ref, in.get(1).asText(), caller);
            NDArray dinoPixels = CaseTensors.load(ref, ref.testCase("dino").get("input").asText(), caller);
            Runnable all = () -> {
                clip.imageEmbeds(clipPixels);
                clip.textEmbeds(ids);
                dino.classEmbeds(dinoPixels);
            };
            all.run();
            int before = arrays(weights);
            int callerBefore = arrays(caller);
            all.run();
            assertEquals(before, arrays(weights), "a forward attached arrays to the weights' manager");
            assertEquals(callerBefore + 3, arrays(caller), "a forward left temporaries in the caller's manager");
        }
    }
}
