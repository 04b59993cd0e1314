package ai.booth.diffusion.unet;

import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.testing.Reference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options the engine does not implement are refused by name, never silently computed differently. */
class UNetConfigTest {

    private static ObjectNode fixtureConfig() {
        try (Reference ref = Reference.load()) {
            return JsonConfig.read(ref.modelDir().resolve("unet/config.json")).node().deepCopy();
        }
    }

    private static void assertRejected(String key, Consumer<ObjectNode> change) {
        ObjectNode json = fixtureConfig();
        change.accept(json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UNet2DConditionConfig.from(new JsonConfig("test config", json)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void unsupportedOptionsAreNamed() {
        assertRejected("class_embed_type", j -> j.put("class_embed_type", "timestep"));
        assertRejected("addition_embed_type", j -> j.put("addition_embed_type", "text_time"));
        assertRejected("resnet_time_scale_shift", j -> j.put("resnet_time_scale_shift", "scale_shift"));
        assertRejected("SimpleCrossAttnDownBlock2D", j -> j.withArray("down_block_types").set(0, "SimpleCrossAttnDownBlock2D"));
        assertRejected("mid_block_type", j -> j.put("mid_block_type", "UNetMidBlock2DSimpleCrossAttn"));
        assertRejected("attention_head_dim", j -> j.putArray("attention_head_dim").add(1).add(2));
        assertRejected("layers_per_block", j -> j.put("layers_per_block", "two"));
    }

    @Test
    void attentionHeadDimMeansHeadsAndNumAttentionHeadsWins() {
        ObjectNode json = fixtureConfig();
        int n = json.get("block_out_channels").size();
        json.put("attention_head_dim", 4);
        assertArrayEquals(java.util.Collections.nCopies(n, 4).stream().mapToInt(i -> i).toArray(),
                UNet2DConditionConfig.from(new JsonConfig("test", json)).numAttentionHeads());
        json.put("num_attention_heads", 2);
        assertArrayEquals(java.util.Collections.nCopies(n, 2).stream().mapToInt(i -> i).toArray(),
                UNet2DConditionConfig.from(new JsonConfig("test", json)).numAttentionHeads());
    }
}
