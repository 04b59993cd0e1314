package ai.booth.diffusion.loader;

import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.ControlNetToLdm;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What ControlNet loading refuses, and how it says so. */
class ControlNetLoaderTest {

    @TempDir
    Path tmp;

    private static String refused(Path source, UNet2DConditionConfig base) {
        return assertThrows(CheckpointException.class,
                () -> ControlNetLoader.load(source, base, EngineOptions.defaults()).close()).getMessage();
    }

    @Test
    void picklesAreRefusedAsFilesAndInFolders() throws Exception {
        try (Reference ref = Reference.load("controlnet")) {
            UNet2DConditionConfig base = ControlNetToLdm.baseUnet(ref);
            Path pth = Files.createFile(tmp.resolve("control_v11p_sd15_canny.pth"));
            assertTrue(refused(pth, base).contains("pickle"));
            Path folder = Files.createDirectories(tmp.resolve("cn"));
            Files.copy(ref.dir().resolve("model/config.json"), folder.resolve("config.json"));
            Files.createFile(folder.resolve("diffusion_pytorch_model.bin"));
            assertTrue(refused(folder, base).contains("pickle"));
        }
    }

    @Test
    void aCheckpointThatIsNotAControlNetIsNamedSo() {
        try (Reference ref = Reference.load("controlnet"); Reference main = Reference.load()) {
            Path checkpoint = main.dir().resolve("model.ckpt.safetensors");
            assertTrue(refused(checkpoint, ControlNetToLdm.baseUnet(ref)).contains("not a ControlNet"));
        }
    }

    @Test
    void aSingleFileForAnotherBaseModelReportsItsMisShapedKeys() {
        try (Reference ref = Reference.load("controlnet")) {
            UNet2DConditionConfig base = ControlNetToLdm.baseUnet(ref);
            Path file = tmp.resolve("control.safetensors");
            ControlNetToLdm.write(ref.dir().resolve("model"), base, file, "");
            int[] wider = base.blockOutChannels().clone();
            for (int i = 0; i < wider.length; i++) {
                wider[i] *= 2;
            }
            UNet2DConditionConfig other = new UNet2DConditionConfig(base.sampleSize(), base.inChannels(),
                    base.outChannels(), base.centerInputSample(), base.flipSinToCos(), base.freqShift(),
                    base.downBlockTypes(), base.midBlockType(), base.upBlockTypes(), wider, base.layersPerBlock(),
                    base.transformerLayersPerBlock(), base.numAttentionHeads(), base.downsamplePadding(),
                    base.midBlockScaleFactor(), base.actFn(), base.normNumGroups(), base.normEps(),
                    base.crossAttentionDim(), base.useLinearProjection(), base.upcastAttention(),
                    base.resnetOutScaleFactor(), base.timeEmbeddingDim() * 2, base.convInKernel(),
                    base.convOutKernel());
            String message = refused(file, other);
            assertTrue(message.contains("checkpoint has") && message.contains("zero_convs.0.0.weight"), message);
        }
    }
}
