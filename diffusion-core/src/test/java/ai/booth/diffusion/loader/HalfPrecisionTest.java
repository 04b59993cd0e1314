package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextConfig;
import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfPrecisionTest {

    /**
     * F16 files load cast to float32 and compute exactly what the float32 model computes on the same
     * (fp16-rounded) weights.
     */
    @Test
    void float16FileIsCastOnLoad(@TempDir Path tmp) {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager()) {
            Path original = ref.modelDir().resolve("text_encoder/model.safetensors");
            Map<String, NDArray> rounded = new LinkedHashMap<>();
            Map<String, NDArray> half = new LinkedHashMap<>();
            SafeTensors.read(original, m).forEach((name, t) -> {
                boolean f = t.getDataType().isFloating();
                half.put(name, f ? t.toType(DataType.FLOAT16, true) : t);
                rounded.put(name, f ? t.toType(DataType.FLOAT16, true).toType(DataType.FLOAT32, true) : t);
            });
            Path halfFile = tmp.resolve("half.safetensors");
            Path roundedFile = tmp.resolve("rounded.safetensors");
            SafeTensors.write(halfFile, half, Map.of());
            SafeTensors.write(roundedFile, rounded, Map.of());
            assertEquals("F16", SafeTensors.open(halfFile).entry("text_model.final_layer_norm.weight").storedDtype());

            CLIPTextConfig config = CLIPTextConfig.read(ref.modelDir().resolve("text_encoder/config.json"));
            NDArray ids = CaseTensors.load(ref, ref.testCase("text_encoder").get("inputs").asText(), m);
            try (CLIPTextModel fromHalf = DiffusersFolderLoader.textEncoder(halfFile, config, EngineOptions.defaults());
                 CLIPTextModel fromRounded = DiffusersFolderLoader.textEncoder(roundedFile, config, EngineOptions.defaults())) {
                assertEquals(DataType.FLOAT32, fromHalf.dtype());
                assertArrayEquals(fromRounded.forward(ids, 1).toFloatArray(), fromHalf.forward(ids, 1).toFloatArray());
            }
        }
    }

    /** dtype float16: weights are held in half precision (the VAE stays float32: force_upcast) and run on CPU. */
    @Test
    void float16ModelsLoadAndRun() {
        try (Reference ref = Reference.load(); NDManager m = NDManager.newBaseManager();
             StableDiffusionModel half = DiffusersFolderLoader.load(ref.modelDir(), new EngineOptions(Device.cpu(), DataType.FLOAT16))) {
            assertEquals(DataType.FLOAT16, half.textEncoder().dtype());
            assertEquals(DataType.FLOAT16, half.unet().dtype());
            assertEquals(half.configs().vae().forceUpcast() ? DataType.FLOAT32 : DataType.FLOAT16, half.vae().dtype());
            String in = ref.testCase("text_encoder").get("inputs").asText();
            String out = ref.testCase("text_encoder").get("outputs").get(0).asText();
            NDArray hidden = half.textEncoder().forward(CaseTensors.load(ref, in, m), 1);
            assertEquals(DataType.FLOAT16, hidden.getDataType());
            // fp16 keeps ~3 significant digits: compare with the float32 reference at that resolution
            NDArray expected = CaseTensors.load(ref, out, m);
            float err = hidden.toType(DataType.FLOAT32, false).sub(expected).abs().max().getFloat();
            float scale = expected.abs().max().getFloat();
            assertTrue(err < 1e-2f * scale, "fp16 text encoder off by " + err + " (scale " + scale + ")");
        }
    }

    @Test
    void contentHashIsTheSha256OfTheWeights() throws Exception {
        try (Reference ref = Reference.load();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults())) {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            for (String f : new String[] {"text_encoder/model.safetensors", "unet/diffusion_pytorch_model.safetensors",
                    "vae/diffusion_pytorch_model.safetensors"}) {
                d.update(Files.readAllBytes(ref.modelDir().resolve(f)));
            }
            assertEquals(java.util.HexFormat.of().formatHex(d.digest()), model.contentHash());
            assertTrue(model.tokenizerDir().isPresent() && model.schedulerDir().isPresent());
        }
    }
}
