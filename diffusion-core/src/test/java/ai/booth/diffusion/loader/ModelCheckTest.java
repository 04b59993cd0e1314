package ai.booth.diffusion.loader;

import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCheckTest {

    @Test
    void folderCheckPredictsTheLoadedModelsHashAndResolution() {
        Path folder = Reference.fixturesDir().resolve("model");
        ModelCheck check = ModelCheck.of(folder, null);
        try (StableDiffusionModel model = check.load(EngineOptions.defaults())) {
            assertFalse(check.singleFile());
            assertEquals(ModelCheck.FOLDER, check.configSource());
            assertEquals(model.contentHash(), check.contentHash());
            assertEquals(model.configs().unet().sampleSize() * model.configs().vae().downscale(), check.resolution());
        }
    }

    @Test
    void singleFileCheckNamesItsArchitectureSourceAndHash() {
        Path file = Reference.fixturesDir().resolve("model.ckpt.safetensors");
        Path companion = Reference.fixturesDir().resolve("model");
        ModelCheck withCompanion = ModelCheck.of(file, companion.toString());
        try (StableDiffusionModel model = withCompanion.load(EngineOptions.defaults())) {
            assertEquals(model.contentHash(), withCompanion.contentHash());
        }
        assertTrue(withCompanion.singleFile());
        assertEquals(ModelCheck.COMPANION, withCompanion.configSource());
        assertEquals(companion, withCompanion.configDir());
    }

    @Test
    void refusesPicklesAndReportsAMissingWeightWithoutLoading(@TempDir Path tmp) throws IOException {
        Path pickle = Files.write(tmp.resolve("model.ckpt"), new byte[] {1, 2, 3});
        assertTrue(assertThrows(CheckpointException.class, () -> ModelCheck.of(pickle, null)).getMessage()
                .contains("pickle"));

        Path folder = tmp.resolve("folder");
        copy(Reference.fixturesDir().resolve("model"), folder);
        Path unet = folder.resolve("unet/diffusion_pytorch_model.safetensors");
        Files.delete(unet);
        Files.write(folder.resolve("unet/diffusion_pytorch_model.bin"), new byte[] {1});
        assertTrue(assertThrows(CheckpointException.class, () -> ModelCheck.of(folder, null)).getMessage()
                .contains("diffusion_pytorch_model.bin is a pickle"));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
