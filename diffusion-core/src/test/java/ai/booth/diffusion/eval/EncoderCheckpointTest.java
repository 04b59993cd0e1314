package ai.booth.diffusion.eval;

import ai.booth.diffusion.clip.CLIPConfig;
import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.vit.ViTConfig;
import ai.booth.diffusion.vit.ViTModel;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Export variants of the encoder checkpoints (checked by name and shape in a dry run): with or without
 * {@code position_ids} buffers, with the unused ViT pooler; a missing weight is still reported.
 */
class EncoderCheckpointTest {

    private static Path modelDir(String caseName) {
        try (Reference ref = Reference.load("eval")) {
            return Reference.fixturesDir().resolve(ref.testCase(caseName).get("model").asText());
        }
    }

    /** The folder's keys, edited, checked against the model built from them. */
    private static void check(String caseName, Consumer<Map<String, TensorSource>> edit) {
        Path dir = modelDir(caseName);
        try (SafeTensors file = SafeTensors.open(dir.resolve("model.safetensors"))) {
            Map<String, TensorSource> sources = new LinkedHashMap<>();
            file.names().forEach(n -> sources.put(n, TensorSource.of(file, n)));
            edit.accept(sources);
            StateDict dry = StateDict.dryRun(sources, null, DataType.FLOAT32);
            if (caseName.equals("clip")) {
                new CLIPModel(CLIPConfig.read(dir.resolve("config.json")), dry);
            } else {
                new ViTModel(ViTConfig.read(dir.resolve("config.json")), dry);
            }
            dry.finish(caseName);
        }
    }

    private static TensorSource shaped(String name, long... shape) {
        return new TensorSource.Lazy(new Shape(shape), name, (m, t) -> {
            throw new AssertionError("a dry run reads nothing");
        });
    }

    @Test
    void clipLoadsWithAndWithoutPositionIdBuffers() {
        assertDoesNotThrow(() -> check("clip", s -> { }));
        assertDoesNotThrow(() -> check("clip", s -> s.keySet().removeIf(k -> k.endsWith("position_ids"))));
    }

    @Test
    void vitAcceptsAnUnusedPoolerAndPositionIds() {
        assertDoesNotThrow(() -> check("dino", s -> {
            long dim = s.get("layernorm.weight").shape().get(0);
            s.put("pooler.dense.weight", shaped("pooler.dense.weight", dim, dim));
            s.put("pooler.dense.bias", shaped("pooler.dense.bias", dim));
            s.put("embeddings.position_ids", shaped("embeddings.position_ids", 1,
                    s.get("embeddings.position_embeddings").shape().get(1)));
        }));
    }

    @Test
    void aMissingOrForeignWeightIsReported() {
        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> check("dino", s -> s.remove("layernorm.weight")));
        assertTrue(missing.getMessage().contains("layernorm.weight"), missing.getMessage());
        CheckpointException foreign = assertThrows(CheckpointException.class,
                () -> check("clip", s -> s.put("classifier.weight", shaped("classifier.weight", 2, 2))));
        assertTrue(foreign.getMessage().contains("classifier.weight"), foreign.getMessage());
    }
}
