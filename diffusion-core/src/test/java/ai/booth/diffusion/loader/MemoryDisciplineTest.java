package ai.booth.diffusion.loader;

import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The nn memory rule in practice: a forward leaves nothing behind in the model's manager, and in the caller's
 * manager only its inputs and the result — so a long sampling or training loop does not grow.
 */
class MemoryDisciplineTest {

    private static int arrays(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    @Test
    void forwardsKeepOnlyTheirResult() {
        try (Reference ref = Reference.load();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
             NDManager caller = NDManager.newBaseManager()) {
            JsonNode c = ref.testCase("unet");
            List<NDArray> in = new ArrayList<>();
            c.get("inputs").forEach(n -> in.add(CaseTensors.load(ref, n.asText(), caller)));
            NDArray image = CaseTensors.load(ref, ref.testCase("vae").at("/encode/input").asText(), caller);
            NDArray ids = CaseTensors.load(ref, ref.testCase("text_encoder").get("inputs").asText(), caller);
            Runnable all = () -> {
                model.unet().forward(in.get(0), in.get(1), in.get(2));
                model.vae().decode(model.vae().encode(image).mean());
                model.textEncoder().forward(ids, 2);
            };
            all.run();  // first run may create per-size caches (group-norm identity affine)
            NDManager unetWeights = ((NDArray) model.unet().linears().values().iterator().next().weight()).getManager();
            int weights = arrays(unetWeights);
            int before = arrays(caller);
            all.run();
            assertEquals(weights, arrays(unetWeights), "a forward attached arrays to the model's manager");
            // unet out, vae mean + logvar + decoded, text hidden state
            assertEquals(before + 5, arrays(caller), "a forward left temporaries in the caller's manager");
        }
    }
}
