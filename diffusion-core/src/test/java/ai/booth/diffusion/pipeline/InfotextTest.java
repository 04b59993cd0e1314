package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.testing.PipelineCase;
import ai.booth.diffusion.testing.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A1111 infotext writing and parsing, LoRA specs, and the PNG text chunks that carry the infotext. */
class InfotextTest {

    @TempDir
    Path tmp;

    private static GenerationParams caseRequest(String caseName) {
        try (Reference ref = Reference.load()) {
            JsonNode c = ref.testCase(caseName);
            return GenerationParams.builder(c.get("prompt").asText()).negativePrompt(c.get("negative_prompt").asText())
                    .steps(c.get("steps").asInt()).guidanceScale(c.get("guidance_scale").asDouble())
                    .scheduler(PipelineCase.schedulerLabel(c)).seed(42).size(768, 1024).clipSkip(2)
                    .loras(List.of(new LoraRequest(Path.of("loras/rex.safetensors"), 0.7f, 0.4f),
                            new LoraRequest(Path.of("style.safetensors"), 0.5f, 0.5f)))
                    .build();
        }
    }

    @Test
    void writesA1111sLayout() {
        GenerationParams p = caseRequest("pipeline");
        String text = Infotext.format(p, "my model, v2", "0123456789abcdef", Map.of("rex", "aaaabbbbcccc"));
        String[] lines = text.split("\n");
        assertEquals(3, lines.length, text);
        assertEquals(p.prompt() + " <lora:rex:0.4:0.7> <lora:style:0.5>", lines[0], "te first, then unet, as A1111");
        assertEquals("Negative prompt: " + p.negativePrompt(), lines[1]);
        assertEquals("Steps: " + p.steps() + ", Sampler: " + Infotext.samplerLabel(p.scheduler()) + ", CFG scale: "
                        + Infotext.number(p.guidanceScale()) + ", Seed: 42, Size: 768x1024, Model hash: 0123456789, "
                        + "Model: \"my model, v2\", Clip skip: 2, RNG: CPU, Lora hashes: \"rex: aaaabbbbcccc\"",
                lines[2]);
    }

    @Test
    void roundTripsEveryField() {
        for (String caseName : List.of("pipeline", "pipeline_lora")) {
            GenerationParams p = caseRequest(caseName).toBuilder()
                    .schedulerOverrides(Map.of("timestep_spacing", "trailing")).build();
            String text = Infotext.format(p, "m", "0123456789abcdef", Map.of());
            GenerationParams back = GenerationParams.fromInfotext(text, name -> Path.of(name + ".safetensors"));
            assertEquals(p.toBuilder().loras(List.of(
                    new LoraRequest(Path.of("rex.safetensors"), 0.7f, 0.4f),
                    new LoraRequest(Path.of("style.safetensors"), 0.5f, 0.5f))).build(), back, text);
        }
    }

    @Test
    void readsA1111Texts() {
        String a1111 = """
                masterpiece, sks dog on a beach <lora:rex:0.8>, <lora:style:te=0.3:unet=0.9>
                Negative prompt: lowres, "bad hands"
                Steps: 25, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 3912384, Size: 512x768, \
                Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Clip skip: 2, Lora hashes: "rex: 0123456789ab", \
                Version: v1.9.4""";
        GenerationParams p = GenerationParams.fromInfotext(a1111);
        assertEquals("masterpiece, sks dog on a beach ,", p.prompt());
        assertEquals("lowres, \"bad hands\"", p.negativePrompt());
        assertEquals(25, p.steps());
        assertEquals("dpmpp_2m_karras", p.scheduler());
        assertEquals(7.0, p.guidanceScale());
        assertEquals(3912384, p.seed());
        assertEquals(512, p.width());
        assertEquals(768, p.height());
        assertEquals(2, p.clipSkip());
        assertEquals(List.of(new LoraRequest(Path.of("rex.safetensors"), 0.8f, 0.8f),
                new LoraRequest(Path.of("style.safetensors"), 0.9f, 0.3f)), p.loras());
        assertEquals("6ce0161689", Infotext.fields(a1111).get("Model hash"));
        assertEquals("euler_a", GenerationParams.fromInfotext("x\nSteps: 5, Sampler: Euler a, Seed: 1").scheduler());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationParams.fromInfotext("x\nSteps: 5, Sampler: Heun, Seed: 1, Size: 64x64"));
        assertTrue(e.getMessage().contains("Heun"), e.getMessage());
    }

    @Test
    void loraSpecs() {
        assertEquals(new LoraRequest(Path.of("a.safetensors"), 1f, 1f), LoraRequest.parse("a.safetensors"));
        assertEquals(new LoraRequest(Path.of("a.safetensors"), 0.6f, 0.6f), LoraRequest.parse("a.safetensors:0.6"));
        assertEquals(new LoraRequest(Path.of("a.safetensors"), 0.6f, 0.2f), LoraRequest.parse("a.safetensors:0.6:0.2"));
        assertEquals(new LoraRequest(Path.of("C:/x/a.safetensors"), 0f, 1f), LoraRequest.parse("C:/x/a.safetensors:0:1"));
        assertEquals("a", LoraRequest.parse("dir/a.safetensors:1").name());
        assertThrows(IllegalArgumentException.class, () -> LoraRequest.parse(":0.5"));
    }

    @Test
    void pngTextChunksRoundTripLatin1AndUnicode() {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 4, 0x123456);
        String latin = "a photo of sks dog\nSteps: 8, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 8x8";
        String unicode = "фото кота sks на луне\nSteps: 8, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 8x8";
        for (String text : List.of(latin, unicode)) {
            Path file = tmp.resolve(text.length() + ".png");
            PngFiles.write(image, Map.of(PngFiles.PARAMETERS, text, "Software", "Booth"), file);
            assertEquals(text, PngFiles.readParameters(file));
            assertEquals("Booth", PngFiles.readText(file).get("Software"));
            assertEquals(0x123456, PngFiles.readImage(file).getRGB(3, 4) & 0xFFFFFF);
        }
        Path plain = tmp.resolve("plain.png");
        PngFiles.write(image, Map.of(), plain);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PngFiles.readParameters(plain));
        assertTrue(e.getMessage().contains("no 'parameters'"), e.getMessage());
    }
}
