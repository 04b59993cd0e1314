package ai.booth.diffusion.unet;

import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SD-2-style options on a small random-weight UNet derived from the fixture's config: linear projections, per-block
 * head list, upcast_attention. No reference tensor exists, so the checks are relations that must hold.
 */
class SD2StyleUNetTest {

    /** The fixture UNet config with SD-2's options: linear projection, per-block heads, upcast_attention. */
    private static UNet2DConditionConfig sd2Style(boolean linear) {
        try (Reference ref = Reference.load()) {
            ObjectNode json = JsonConfig.read(ref.modelDir().resolve("unet/config.json")).node().deepCopy();
            ArrayNode heads = json.putArray("attention_head_dim");
            json.get("block_out_channels").forEach(c -> heads.add(largestDivisor(c.asInt(), 1 << (heads.size() + 1))));
            json.put("use_linear_projection", linear);
            json.put("upcast_attention", true);
            return UNet2DConditionConfig.from(new JsonConfig("sd2-style", json));
        }
    }

    private static int largestDivisor(int n, int atMost) {
        for (int d = atMost; d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }

    @Test
    void linearProjectionEqualsConvProjectionAndHeadsFollowTheList() {
        UNet2DConditionConfig linearConfig = sd2Style(true);
        UNet2DConditionConfig convConfig = sd2Style(false);
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict random = StateDict.random(m.newSubManager(), DataType.FLOAT32, 42);
            UNet2DConditionModel linear = new UNet2DConditionModel(linearConfig, random);

            // The same weights with every proj_in/proj_out [out, in] viewed as a 1×1 conv kernel [out, in, 1, 1].
            Map<String, TensorSource> asConv = new LinkedHashMap<>();
            random.taken().forEach((name, array) -> {
                TensorSource src = TensorSource.of(name, array);
                boolean proj = name.matches(".*\\.proj_(in|out)\\.weight");
                asConv.put(name, proj ? TensorSource.reshaped(src, array.getShape().addAll(new Shape(1, 1))) : src);
            });
            StateDict convWeights = StateDict.of(asConv, m.newSubManager(), DataType.FLOAT32);
            UNet2DConditionModel conv = new UNet2DConditionModel(convConfig, convWeights);
            convWeights.finish("conv-projection twin");

            for (int i = 0; i < linearConfig.blocks(); i++) {
                if (linearConfig.crossAttentionDown(i)) {
                    CrossAttention attn = linear.downBlocks().get(i).attentions().get(0).blocks().get(0).selfAttention();
                    assertEquals(linearConfig.numAttentionHeads()[i], attn.heads());
                    assertEquals(linearConfig.blockOutChannels()[i] / linearConfig.numAttentionHeads()[i], attn.headDim());
                }
            }
            assertTrue(java.util.Arrays.stream(linearConfig.numAttentionHeads()).distinct().count() > 1,
                    "the head list should differ per block to mean something");

            int size = 2 * (1 << (linearConfig.blocks() - 1));
            NDArray sample = m.randomNormal(new Shape(2, linearConfig.inChannels(), size, size));
            NDArray context = m.randomNormal(new Shape(2, 7, linearConfig.crossAttentionDim()));
            NDArray t = m.create(new long[] {999, 3});
            NDArray out = linear.forward(sample, t, context);
            assertEquals(new Shape(2, linearConfig.outChannels(), size, size), out.getShape());
            assertTrue(out.isInfinite().any().getBoolean() == false && out.isNaN().any().getBoolean() == false);
            assertTrue(out.abs().max().getFloat() > 0);
            Reference.assertClose("linear vs conv projection", conv.forward(sample, t, context), out,
                    new Reference.Tolerance(1e-4, 1e-5));
        }
    }

    @Test
    void perSampleTimestepsEqualSeparateRunsAndOddSizesUpsampleToTheSkip() {
        UNet2DConditionConfig config = sd2Style(true);
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = new UNet2DConditionModel(config, StateDict.random(m.newSubManager(),
                    DataType.FLOAT32, 3));
            int odd = 3 * (1 << (config.blocks() - 1)) + 2;  // not divisible by 2^(levels−1): upsampling follows skips
            NDArray sample = m.randomNormal(new Shape(2, config.inChannels(), odd, odd));
            NDArray context = m.randomNormal(new Shape(2, 5, config.crossAttentionDim()));
            NDArray both = unet.forward(sample, m.create(new long[] {10, 900}), context);
            assertEquals(new Shape(2, config.outChannels(), odd, odd), both.getShape());
            long[] ts = {10, 900};
            for (int i = 0; i < 2; i++) {
                NDArray one = unet.forward(sample.get(i + ":" + (i + 1)), m.create((float) ts[i]),
                        context.get(i + ":" + (i + 1)));
                Reference.assertClose("sample " + i, one, both.get(i + ":" + (i + 1)), new Reference.Tolerance(1e-4, 1e-5));
            }
        }
    }
}
