package ai.booth.diffusion.loader;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model written as one original-layout file (what a full fine-tune hands to A1111 users) loads back through the
 * single-file loader with every weight bit-identical; the names are A1111's (true LDM block numbering, VAE attention
 * as 1×1 convolutions), not diffusers'.
 */
class LdmExportTest {

    @Test
    void aModelWrittenAsOneOriginalLayoutFileLoadsBackWithEveryWeightIdentical(@TempDir Path tmp) {
        try (Reference ref = Reference.load();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults())) {
            Path file = tmp.resolve("model.safetensors");
            if (model.configs().textEncoder().hiddenAct().equals("gelu")) {   // SD-2: OpenCLIP is refused, clearly
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> LdmExport.write(model, file, Map.of()));
                assertTrue(e.getMessage().contains("OpenCLIP"), e.getMessage());
                return;
            }
            LdmExport.write(model, file, Map.of("booth.kind", "finetune"));
            try (SafeTensors written = SafeTensors.open(file)) {
                assertTrue(written.names().stream().allMatch(k -> k.startsWith(LdmLayout.UNET)
                        || k.startsWith(LdmLayout.VAE) || k.startsWith(LdmLayout.CLIP)), "only LDM prefixes");
                assertTrue(written.names().contains(LdmLayout.UNET + "input_blocks.0.0.weight"), "conv_in renamed");
                assertTrue(written.names().contains(LdmLayout.VAE + "encoder.mid.attn_1.q.weight"), "VAE attention");
                assertEquals(4, written.entry(LdmLayout.VAE + "encoder.mid.attn_1.q.weight").shape().dimension(),
                        "VAE attention projections as 1x1 convolutions");
                assertEquals("finetune", written.metadata().get("booth.kind"));
            }
            try (StableDiffusionModel back = SingleFileLoader.load(file, ref.modelDir().toString(),
                    EngineOptions.defaults())) {
                assertSameWeights("text encoder", model.textEncoder().parameters(), back.textEncoder().parameters());
                assertSameWeights("unet", model.unet().parameters(), back.unet().parameters());
                assertSameWeights("vae", model.vae().parameters(), back.vae().parameters());
            }
        }
    }

    private static void assertSameWeights(String what, Map<String, NDArray> expected, Map<String, NDArray> actual) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": the same weights");
        expected.forEach((k, v) -> {
            NDArray a = actual.get(k);
            assertEquals(v.getShape(), a.getShape(), what + " " + k);
            assertArrayEquals(v.toFloatArray(), a.toFloatArray(), what + " " + k);
        });
    }
}
