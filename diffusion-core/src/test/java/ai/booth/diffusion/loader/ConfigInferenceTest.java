package ai.booth.diffusion.loader;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the single file's shapes tell agrees with the diffusers folder's configs. */
class ConfigInferenceTest {

    @Test
    void shapeDerivedFieldsMatchTheFolderConfigs() {
        try (Reference ref = Reference.load(); SafeTensors file = SafeTensors.open(ref.dir().resolve("model.ckpt.safetensors"))) {
            ModelConfigs inferred = ConfigInference.infer(file);
            ModelConfigs folder = ModelConfigs.fromFolder(ref.modelDir());

            UNet2DConditionConfig u = inferred.unet();
            UNet2DConditionConfig f = folder.unet();
            assertEquals(f.inChannels(), u.inChannels());
            assertEquals(f.outChannels(), u.outChannels());
            assertArrayEquals(f.blockOutChannels(), u.blockOutChannels());
            assertArrayEquals(f.layersPerBlock(), u.layersPerBlock());
            assertArrayEquals(f.transformerLayersPerBlock(), u.transformerLayersPerBlock());
            assertEquals(f.downBlockTypes(), u.downBlockTypes());
            assertEquals(f.upBlockTypes(), u.upBlockTypes());
            assertEquals(f.crossAttentionDim(), u.crossAttentionDim());
            assertEquals(f.useLinearProjection(), u.useLinearProjection());
            assertEquals(f.convInKernel(), u.convInKernel());

            assertArrayEquals(folder.vae().blockOutChannels(), inferred.vae().blockOutChannels());
            assertEquals(folder.vae().layersPerBlock(), inferred.vae().layersPerBlock());
            assertEquals(folder.vae().latentChannels(), inferred.vae().latentChannels());
            assertEquals(folder.vae().inChannels(), inferred.vae().inChannels());

            assertEquals(folder.textEncoder().hiddenSize(), inferred.textEncoder().hiddenSize());
            assertEquals(folder.textEncoder().numHiddenLayers(), inferred.textEncoder().numHiddenLayers());
            assertEquals(folder.textEncoder().intermediateSize(), inferred.textEncoder().intermediateSize());
            assertEquals(folder.textEncoder().vocabSize(), inferred.textEncoder().vocabSize());
            assertEquals(folder.textEncoder().maxPositionEmbeddings(), inferred.textEncoder().maxPositionEmbeddings());
        }
    }

    @Test
    void presetsAreTheRealSdArchitectures() {
        ModelConfigs sd15 = ModelConfigs.preset("sd15");
        assertArrayEquals(new int[] {320, 640, 1280, 1280}, sd15.unet().blockOutChannels());
        assertArrayEquals(new int[] {8, 8, 8, 8}, sd15.unet().numAttentionHeads());
        assertEquals(768, sd15.unet().crossAttentionDim());
        assertEquals(768, sd15.textEncoder().hiddenSize());
        ModelConfigs sd2 = ModelConfigs.preset("SD2");
        assertArrayEquals(new int[] {5, 10, 20, 20}, sd2.unet().numAttentionHeads());
        assertEquals(true, sd2.unet().useLinearProjection());
        assertEquals(true, sd2.unet().upcastAttention());
        assertEquals(1024, sd2.textEncoder().hiddenSize());
        assertEquals(23, sd2.textEncoder().numHiddenLayers());
        assertEquals("gelu", sd2.textEncoder().hiddenAct());
    }
}
