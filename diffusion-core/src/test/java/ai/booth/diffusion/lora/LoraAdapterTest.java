package ai.booth.diffusion.lora;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.nn.LoraTarget;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** LoRA files of both layouts against the reference {@code lora} case, and everything a user does with adapters. */
class LoraAdapterTest {

    private static Reference ref;
    private static StableDiffusionModel model;
    private static NDManager m;
    private static NDArray ids;
    private static List<NDArray> unetIn;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        m = NDManager.newBaseManager();
        ids = CaseTensors.load(ref, ref.testCase("text_encoder").get("inputs").asText(), m);
        unetIn = new ArrayList<>();
        ref.testCase("unet").get("inputs").forEach(n -> unetIn.add(CaseTensors.load(ref, n.asText(), m)));
    }

    @AfterAll
    static void close() {
        m.close();
        model.close();
        ref.close();
    }

    private static NDArray unet() {
        return model.unet().forward(unetIn.get(0), unetIn.get(1), unetIn.get(2));
    }

    private static NDArray text() {
        return model.textEncoder().forward(ids, 1);
    }

    private static NDArray output(String name) {
        return name.startsWith("lora.unet") ? unet() : text();
    }

    private static List<Path> caseFiles() {
        List<Path> files = new ArrayList<>();
        ref.testCase("lora").get("files").forEach(f -> files.add(ref.dir().resolve(f.asText().split(" ")[0])));
        return files;
    }

    @Test
    void everyLayoutReproducesTheLoraCaseAndScaleZeroIsTheBaseModel() {
        JsonNode c = ref.testCase("lora");
        float[] baseUnet = unet().toFloatArray();
        float[] baseText = text().toFloatArray();
        List<Path> files = caseFiles();
        assertTrue(files.size() >= 2, "the case names a PEFT and a kohya file");
        Map<String, float[]> first = new LinkedHashMap<>();
        for (Path file : files) {
            try (LoraAdapter adapter = LoraAdapter.load(file, model);
                 AttachedLora attached = adapter.attach(model, 0f, 0f)) {
                assertEquals(c.get("rank").asLong(), adapter.rank(), file + " rank");
                adapter.modules().forEach(mod -> assertEquals(c.get("alpha").floatValue(), mod.alpha(), mod.peftName()));
                assertArrayEquals(baseUnet, unet().toFloatArray(), file + ": UNet scale 0 must be the base model");
                assertArrayEquals(baseText, text().toFloatArray(), file + ": text scale 0 must be the base model");

                attached.setScales(c.get("unet_scale").floatValue(), c.get("text_encoder_scale").floatValue());
                c.get("outputs").fieldNames().forEachRemaining(name -> {
                    NDArray actual = output(name);
                    Reference.assertClose(file.getFileName() + " " + name, actual, ref.tensor(name, m),
                            ref.tolerance("float32"));
                    float[] values = actual.toFloatArray();
                    float[] previous = first.putIfAbsent(name, values);
                    if (previous != null) {
                        assertArrayEquals(previous, values, name + ": both layouts must give the same output");
                    }
                });
            }
            assertArrayEquals(baseUnet, unet().toFloatArray(), "detaching restores the base model");
        }
    }

    @Test
    void savesBothLayoutsAndLoadsThemBackUnchanged() {
        try (LoraAdapter original = LoraAdapter.load(caseFiles().get(1), model)) {
            for (LoraLayout layout : LoraLayout.values()) {
                Path file = tmp.resolve(layout.fileName());
                original.save(file, layout, Map.of("booth_note", "round trip"));
                try (SafeTensors st = SafeTensors.open(file)) {
                    assertEquals(layout, LoraLayout.detect(st.names()));
                    assertEquals("round trip", st.metadata().get("booth_note"));
                }
                try (LoraAdapter back = LoraAdapter.load(file, model)) {
                    assertEquals(original.modules().size(), back.modules().size());
                    for (int i = 0; i < back.modules().size(); i++) {
                        LoraModule a = original.modules().get(i);
                        LoraModule b = back.modules().stream().filter(x -> x.peftName().equals(a.peftName()))
                                .findFirst().orElseThrow(() -> new AssertionError("lost " + a.peftName()));
                        assertEquals(a.alpha(), b.alpha(), a.peftName());
                        assertTrue(a.down().contentEquals(b.down()) && a.up().contentEquals(b.up()), a.peftName());
                    }
                }
            }
        }
    }

    @Test
    void twoAdaptersAddTheirDeltas() {
        Path file = caseFiles().get(0);
        try (LoraAdapter one = LoraAdapter.load(file, model); LoraAdapter two = LoraAdapter.load(file, model);
             AttachedLora a = one.attach(model, 0.3f, 0f); AttachedLora b = two.attach(model, 0.4f, 0f)) {
            NDArray both = unet();
            a.setScales(0.7f, 0f);
            b.setScales(0f, 0f);
            Reference.assertClose("0.3 + 0.4 of one adapter = 0.7 of it", both, unet(), new Reference.Tolerance(1e-5, 1e-5));
        }
    }

    @Test
    void freshAdapterIsPeftInitialisedAndLeavesTheModelUnchanged() {
        float[] base = unet().toFloatArray();
        try (LoraAdapter fresh = LoraAdapter.create("fresh", model, LoraTargets.attention(true), 4, 4f,
                new TorchGenerator(7)); AttachedLora attached = fresh.attach(model, 1f, 1f)) {
            long attnLayers = model.unet().loraTargets().keySet().stream()
                    .filter(p -> LoraTargets.UNET_ATTENTION.matcher(p).matches()).count();
            assertEquals(attnLayers, fresh.modules(LoraComponent.UNET).size());
            assertFalse(fresh.modules(LoraComponent.TEXT_ENCODER).isEmpty());
            for (LoraModule mod : fresh.modules()) {
                float bound = (float) (1 / Math.sqrt(mod.down().getShape().get(1)));
                assertTrue(mod.down().abs().max().getFloat() <= bound, mod.peftName() + " A within kaiming bound");
                assertTrue(mod.down().abs().max().getFloat() > bound / 2, mod.peftName() + " A is not degenerate");
                assertEquals(0f, mod.up().abs().sum().getFloat(), mod.peftName() + " B starts at zero");
            }
            Reference.assertClose("B = 0 leaves the output as it was", unet(), m.create(base, unetIn.get(0).getShape()),
                    new Reference.Tolerance(0, 0));
        }
        try (LoraAdapter again = LoraAdapter.create("again", model, LoraTargets.attention(false), 4, 4f,
                new TorchGenerator(7))) {
            assertTrue(again.modules(LoraComponent.TEXT_ENCODER).isEmpty());
        }
    }

    /** kohya adapters on SD-1's 1×1 transformer projections and LoCon on a 3×3 kernel equal merged weights. */
    @Test
    void convolutionModulesEqualMergedKernels() {
        Map<String, LoraTarget> targets = model.unet().loraTargets();
        LoraTarget projIn = targets.values().stream().filter(t -> t.path().endsWith("proj_in") && t.kernelSize() == 1
                && !(t instanceof ai.booth.diffusion.nn.Linear)).findFirst().orElse(null);
        LoraTarget conv3 = targets.values().stream().filter(t -> t.path().endsWith("resnets.0.conv1")).findFirst()
                .orElseThrow();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        List<LoraTarget> used = new ArrayList<>(List.of(conv3));
        if (projIn != null) {
            used.add(projIn);
        }
        for (LoraTarget t : used) {
            String name = "lora_unet_" + t.path().replace('.', '_');
            int k = t.kernelSize();
            tensors.put(name + ".lora_down.weight", m.randomNormal(0f, 0.2f, new Shape(2, t.inFeatures(), k, k), ai.djl.ndarray.types.DataType.FLOAT32));
            tensors.put(name + ".lora_up.weight", m.randomNormal(0f, 0.2f, new Shape(t.outFeatures(), 2, 1, 1), ai.djl.ndarray.types.DataType.FLOAT32));
            tensors.put(name + ".alpha", m.create(1f));
        }
        Path file = tmp.resolve("locon.safetensors");
        SafeTensors.write(file, tensors, Map.of());
        NDArray x = m.randomNormal(new Shape(1, conv3.inFeatures(), 8, 8));
        ai.booth.diffusion.nn.Conv2d conv = (ai.booth.diffusion.nn.Conv2d) conv3;
        try (LoraAdapter adapter = LoraAdapter.load(file, model); AttachedLora attached = adapter.attach(model, 0.8f, 0f)) {
            assertEquals(used.size(), adapter.modules().size());
            LoraModule mod = adapter.modules().stream().filter(x2 -> x2.path().equals(conv3.path())).findFirst().orElseThrow();
            // merged kernel: W + scale·alpha/rank · (up ⊗ down), contracting the rank axis
            NDArray up2 = mod.up().reshape(conv3.outFeatures(), 2);
            NDArray delta = up2.matMul(mod.down().reshape(2, -1)).reshape(conv3.outFeatures(), conv3.inFeatures(), 3, 3);
            attached.setScales(0f, 0f);
            NDArray base = conv.forward(x);
            attached.setScales(0.8f, 0f);
            NDArray withLora = conv.forward(x);
            NDArray expectedDelta = x.getNDArrayInternal().convolution(x, delta.mul(0.8f * 1f / 2f), null,
                    new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
            Reference.assertClose("LoCon 3×3", withLora, base.add(expectedDelta), new Reference.Tolerance(1e-4, 1e-5));
        }
    }

    @Test
    void unknownModulesAndForeignFilesGiveOneClearError() {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("lora_unet_no_such_block_to_q.lora_down.weight", m.zeros(new Shape(4, 32)));
        tensors.put("lora_unet_no_such_block_to_q.lora_up.weight", m.zeros(new Shape(32, 4)));
        String real = model.unet().linears().keySet().iterator().next();
        tensors.put("lora_unet_" + real.replace('.', '_') + ".lora_down.weight", m.zeros(new Shape(4, 7)));
        tensors.put("lora_unet_" + real.replace('.', '_') + ".lora_up.weight", m.zeros(new Shape(3, 4)));
        Path bad = tmp.resolve("bad.safetensors");
        SafeTensors.write(bad, tensors, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(bad, model));
        assertTrue(e.getMessage().contains("no_such_block_to_q"), e.getMessage());
        assertTrue(e.getMessage().contains(real) && e.getMessage().contains("do not fit"), e.getMessage());
        assertTrue(e.getMessage().contains("2 of 2 modules"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> LoraAdapter.load(ref.modelDir().resolve("vae/diffusion_pytorch_model.safetensors"), model));
        assertTrue(e.getMessage().contains("has no LoRA tensors"), e.getMessage());
    }
}
