package ai.booth.diffusion.loader;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointErrorsTest {

    /** A copy of {@code source} without {@code drop}, with {@code misShape} given an extra leading axis, plus {@code extra}. */
    private static void writeBroken(Path source, Path target, String drop, String misShape, String extra) {
        try (NDManager m = NDManager.newBaseManager(); SafeTensors st = SafeTensors.open(source)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(st.loadAll(m, null));
            tensors.remove(drop);
            NDArray bad = tensors.get(misShape);
            tensors.put(misShape, bad.expandDims(0));
            tensors.put(extra, m.zeros(new Shape(3)));
            SafeTensors.write(target, tensors, Map.of());
        }
    }

    @Test
    void unetReportsEveryMissingUnexpectedAndMisShapedKeyInOneError(@TempDir Path tmp) {
        try (Reference ref = Reference.load()) {
            Path source = ref.modelDir().resolve("unet/diffusion_pytorch_model.safetensors");
            List<String> names;
            Shape misShaped;
            try (SafeTensors st = SafeTensors.open(source)) {
                names = new ArrayList<>(st.names());
                misShaped = st.entry(names.get(1)).shape();
            }
            Path broken = tmp.resolve("broken.safetensors");
            writeBroken(source, broken, names.get(0), names.get(1), "bogus.extra.weight");
            UNet2DConditionConfig config = UNet2DConditionConfig.read(ref.modelDir().resolve("unet/config.json"));

            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> DiffusersFolderLoader.unet(broken, config, EngineOptions.defaults()));

            assertEquals(1, e.missing().size(), e.getMessage());
            assertTrue(e.missing().get(0).startsWith(names.get(0) + " "), e.getMessage());
            assertEquals(List.of("bogus.extra.weight (3)"), e.unexpected(), e.getMessage());
            assertEquals(1, e.misShaped().size(), e.getMessage());
            String expected = names.get(1) + ": checkpoint has " + new Shape(1).addAll(misShaped)
                    + ", model expects " + misShaped;
            assertEquals(expected, e.misShaped().get(0));
            assertTrue(e.getMessage().contains(names.get(0)) && e.getMessage().contains("bogus.extra.weight")
                    && e.getMessage().contains(expected), e.getMessage());
        }
    }

    @Test
    void singleFileErrorsNameTheOriginalKeys(@TempDir Path tmp) {
        try (Reference ref = Reference.load()) {
            Path source = ref.dir().resolve("model.ckpt.safetensors");
            String vaeKey;
            String textKey;
            try (SafeTensors st = SafeTensors.open(source)) {
                vaeKey = st.names().stream().filter(k -> k.startsWith("first_stage_model.encoder.conv_in.")).findFirst()
                        .orElseThrow();
                // the final layer norm's weight, in OpenAI CLIP (final_layer_norm) or OpenCLIP (ln_final) layout
                textKey = st.names().stream().filter(k -> k.startsWith("cond_stage_model.")
                        && k.matches(".*(final_layer_norm|ln_final)\\.weight")).findFirst().orElseThrow();
            }
            String extra = "model.diffusion_model.input_blocks.1.0.extra_layers.weight";
            Path broken = tmp.resolve("broken.safetensors");
            writeBroken(source, broken, textKey, vaeKey, extra);

            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> SingleFileLoader.load(broken, ref.modelDir().toString(), EngineOptions.defaults()));
            // the text encoder is built first: its missing final norm is reported under its diffusers name
            assertTrue(e.getMessage().contains("text_model.final_layer_norm.weight"), e.getMessage());

            Path onlyUnetAndVae = tmp.resolve("broken2.safetensors");
            writeBroken(source, onlyUnetAndVae, "model.diffusion_model.out.2.bias", vaeKey, extra);
            e = assertThrows(CheckpointException.class,
                    () -> SingleFileLoader.load(onlyUnetAndVae, ref.modelDir().toString(), EngineOptions.defaults()));
            assertTrue(e.missing().stream().anyMatch(k -> k.startsWith("conv_out.bias")), e.getMessage());
            assertTrue(e.unexpected().stream().anyMatch(k -> k.contains(extra)), e.getMessage());
        }
    }

    @Test
    void refusesPickleCheckpointsAndNonDiffusersFolders(@TempDir Path tmp) throws IOException {
        Path ckpt = Files.writeString(tmp.resolve("model.ckpt"), "not really");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SingleFileLoader.load(ckpt, "sd15", EngineOptions.defaults()));
        assertTrue(e.getMessage().contains("pickle"), e.getMessage());

        e = assertThrows(CheckpointException.class, () -> DiffusersFolderLoader.load(tmp, EngineOptions.defaults()));
        assertTrue(e.getMessage().contains("model_index.json"), e.getMessage());

        Path unet = Files.createDirectories(tmp.resolve("unet"));
        Files.writeString(unet.resolve("diffusion_pytorch_model.bin"), "pickle");
        e = assertThrows(CheckpointException.class, () -> WeightFiles.safetensorsIn(unet));
        assertTrue(e.getMessage().contains("diffusion_pytorch_model.bin") && e.getMessage().contains("safetensors"),
                e.getMessage());
    }
}
