package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A LoRA-scale × guidance grid on the fixture model: sheet size, labels, and cells equal to lone renders. */
class SweepRendererTest {

    @TempDir
    Path tmp;

    @Test
    void gridCellsAreTheImagesTheirParametersGiveAlone() {
        try (Reference ref = Reference.load();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(model)) {
            JsonNode c = ref.testCase("pipeline_lora");
            float unet = c.get("unet_scale").floatValue();
            float te = c.get("text_encoder_scale").floatValue();
            GenerationParams base = GenerationParams.builder(c.get("prompt").asText()).steps(2).seed(7)
                    .loras(List.of(new LoraRequest(ref.dir().resolve(c.get("lora").asText()), unet, te))).build();
            Sweep sweep = new Sweep(SweepAxis.UNET_LORA_SCALE, List.of("0", Float.toString(unet), "1"),
                    SweepAxis.GUIDANCE_SCALE, List.of("1", c.get("guidance_scale").asText()));

            SweepRenderer.Result result = new SweepRenderer(pipeline).render(base, sweep, StepListener.NONE, () -> false);

            ContactSheet.Layout layout = result.layout();
            BufferedImage sheet = result.sheet();
            int size = pipeline.defaultSize();
            assertEquals(layout.labelWidth() + 3 * size, sheet.getWidth());
            assertEquals(layout.headerHeight() + 2 * size, sheet.getHeight());
            assertTrue(layout.labelWidth() > 0 && layout.headerHeight() > 0);
            assertTrue(inked(sheet, 0, layout.headerHeight(), layout.labelWidth(), sheet.getHeight()),
                    "row labels are drawn");
            assertTrue(inked(sheet, layout.labelWidth(), 0, sheet.getWidth(), layout.headerHeight()),
                    "column labels are drawn");

            for (int row = 0; row < 2; row++) {
                for (int col = 0; col < 3; col++) {
                    GenerationParams cell = result.cell(row, col).params();
                    assertEquals(Double.parseDouble(sweep.xValues().get(col)), cell.loras().get(0).unetScale(), 1e-6);
                    assertEquals(te, cell.loras().get(0).textEncoderScale(), "the other scale is kept");
                    assertEquals(Double.parseDouble(sweep.yValues().get(row)), cell.guidanceScale());
                    BufferedImage alone = pipeline.generate(cell).images().get(0).toImage();
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            assertEquals(alone.getRGB(x, y), sheet.getRGB(layout.x(col) + x, layout.y(row) + y),
                                    "cell " + row + "," + col + " pixel " + x + "," + y);
                        }
                    }
                }
            }
            assertFalse(java.util.Arrays.equals(result.cell(0, 0).pixels(), result.cell(0, 2).pixels()),
                    "the UNet scale changes the image");

            Path png = tmp.resolve("grid.png");
            result.writePng(png);
            var fields = Infotext.fields(PngFiles.readParameters(png));
            assertEquals(SweepAxis.UNET_LORA_SCALE.label(), fields.get("X Type"));
            assertEquals("0, " + Infotext.number(unet) + ", 1", fields.get("X Values"));
            assertEquals(SweepAxis.GUIDANCE_SCALE.label(), fields.get("Y Type"));
        }
    }

    @Test
    void badSweepsAreRefusedByName() {
        assertThrows(IllegalArgumentException.class, () -> Sweep.parse("guidance=1,2", "cfg=3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sweep.parse("strength=1", "seed=1"));
        assertTrue(e.getMessage().contains("strength"), e.getMessage());
        Sweep sweep = Sweep.parse("unet_scale=0,1", "seed=1,2");
        assertEquals(SweepAxis.SEED, sweep.y());
        e = assertThrows(IllegalArgumentException.class, () -> sweep.x().check(GenerationParams.builder("x").build(), "1"));
        assertTrue(e.getMessage().contains("needs at least one LoRA"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepAxis.SEED.check(GenerationParams.builder("x").build(), "1.5"));
        assertTrue(e.getMessage().contains("whole numbers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepAxis.GUIDANCE_SCALE.check(GenerationParams.builder("x").build(), "high"));
        assertTrue(e.getMessage().contains("numbers, got 'high'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepAxis.PROMPT.check(GenerationParams.builder("x").build(), " "));
        assertTrue(e.getMessage().contains("non-empty prompts"), e.getMessage());
    }

    @Test
    void promptsAreAnAxis() {
        Sweep sweep = Sweep.parse("prompt=a photo of sks dog, running | sks dog on the moon", "seed=1,2");
        assertEquals(List.of("a photo of sks dog, running", "sks dog on the moon"), sweep.xValues());
        try (Reference ref = Reference.load();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(model)) {
            SweepRenderer.Result result = new SweepRenderer(pipeline).render(
                    GenerationParams.builder("unused").steps(2).build(), sweep, StepListener.NONE, () -> false);
            for (int row = 0; row < 2; row++) {
                for (int col = 0; col < 2; col++) {
                    GenerationParams cell = result.cell(row, col).params();
                    assertEquals(sweep.xValues().get(col), cell.prompt());
                    assertEquals(row + 1, cell.seed());
                    assertTrue(java.util.Arrays.equals(pipeline.generate(cell).images().get(0).pixels(),
                            result.cell(row, col).pixels()), "cell " + row + "," + col + " = its lone render");
                }
            }
            assertFalse(java.util.Arrays.equals(result.cell(0, 0).pixels(), result.cell(0, 1).pixels()),
                    "the prompt changes the image");
            ContactSheet.Layout layout = result.layout();
            ContactSheet.Layout oneLine = ContactSheet.layout(layout.cellWidth(), layout.cellHeight(),
                    List.of("x", "y"), List.of("1", "2"));
            assertTrue(layout.headerHeight() > oneLine.headerHeight(), "long prompts wrap onto more header lines");
            assertFalse(inked(result.sheet(), layout.x(1) - 1, 0, layout.x(1) + 1, layout.headerHeight()),
                    "column labels stay within their columns");
            var fields = Infotext.fields(result.infotext());
            assertEquals("Prompt", fields.get("X Type"));
            assertEquals("\"a photo of sks dog, running\", sks dog on the moon", fields.get("X Values"));
        }
    }

    private static boolean inked(BufferedImage image, int x0, int y0, int x1, int y1) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    return true;
                }
            }
        }
        return false;
    }
}
