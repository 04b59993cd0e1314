package ai.booth.diffusion.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PIL-style resampling and the processor-config variants the hub's CLIP and ViT folders use. */
class ImageProcessingTest {

    @TempDir
    Path tmp;

    private static RgbImage filled(int w, int h, java.util.function.IntBinaryOperator value) {
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Arrays.fill(rgb, (y * w + x) * 3, (y * w + x) * 3 + 3, (byte) value.applyAsInt(x, y));
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private EvalImageProcessor processor(String json) throws IOException {
        Path file = tmp.resolve("preprocessor_config.json");
        Files.writeString(file, json);
        return EvalImageProcessor.read(file);
    }

    @Test
    void resizingToTheSameSizeKeepsEveryPixel() {
        RgbImage image = filled(7, 5, (x, y) -> 31 * x + 17 * y);
        assertArrayEquals(image.rgb(), PilResize.resize(image, 7, 5, PilResize.Filter.BICUBIC).rgb());
    }

    @Test
    void aConstantImageStaysConstantWhenShrunkOrEnlarged() {
        RgbImage grey = filled(90, 70, (x, y) -> 137);
        for (int[] size : new int[][]{{41, 32}, {200, 150}}) {
            for (PilResize.Filter f : PilResize.Filter.values()) {
                RgbImage out = PilResize.resize(grey, size[0], size[1], f);
                for (byte b : out.rgb()) {
                    assertEquals(137, b & 0xFF, f + " to " + Arrays.toString(size));
                }
            }
        }
    }

    @Test
    void shrinkingIsAntialiasedNotSampled() {
        // one-pixel stripes shrunk 8×: a sampling resize would return 0s or 255s, an antialiased one their mean
        RgbImage stripes = filled(64, 8, (x, y) -> x % 2 == 0 ? 0 : 255);
        RgbImage out = PilResize.resize(stripes, 8, 8, PilResize.Filter.BICUBIC);
        for (int x = 1; x < 7; x++) {
            int v = out.at(x, 4, 0);
            assertTrue(Math.abs(v - 127.5) < 8, "column " + x + ": " + v);
        }
    }

    @Test
    void clipsShortestEdgeKeepsTheAspectAndTruncatesTheLongSide() throws IOException {
        EvalImageProcessor p = processor("{\"image_processor_type\": \"CLIPImageProcessor\", "
                + "\"size\": {\"shortest_edge\": 32}, \"do_center_crop\": false}");
        assertArrayEquals(new int[]{32, 41}, p.outputSize(filled(90, 70, (x, y) -> 0)));   // 32·90/70 = 41.1
        assertArrayEquals(new int[]{48, 32}, p.outputSize(filled(64, 96, (x, y) -> 0)));
    }

    @Test
    void legacyIntegerSizesMeanShortestEdgeForClipAndASquareForVit() throws IOException {
        RgbImage wide = filled(300, 200, (x, y) -> 0);
        EvalImageProcessor clip = processor("{\"feature_extractor_type\": \"CLIPFeatureExtractor\", \"size\": 224, "
                + "\"crop_size\": 224, \"resample\": 3}");
        assertEquals(224, clip.shortestEdge());
        assertArrayEquals(new int[]{224, 224}, clip.outputSize(wide));
        EvalImageProcessor vit = processor("{\"feature_extractor_type\": \"ViTFeatureExtractor\", \"size\": 224, "
                + "\"resample\": 2, \"image_mean\": [0.485, 0.456, 0.406], \"image_std\": [0.229, 0.224, 0.225]}");
        assertEquals(0, vit.shortestEdge());
        assertEquals(PilResize.Filter.BILINEAR, vit.filter());
        assertArrayEquals(new int[]{224, 224}, vit.outputSize(wide));
    }

    @Test
    void aCropLargerThanTheImageIsZeroPaddedBeforeNormalising() throws IOException {
        EvalImageProcessor p = processor("{\"do_resize\": false, \"crop_size\": {\"height\": 4, \"width\": 4}, "
                + "\"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5]}");
        float[] px = p.pixels(filled(2, 2, (x, y) -> 255));
        assertEquals(-1f, px[0], 1e-6);          // padding: (0 - 0.5) / 0.5
        assertEquals(1f, px[4 + 1], 1e-6);       // the image sits at rows 1..2, columns 1..2
        assertEquals(1f, px[2 * 4 + 2], 1e-6);
        assertEquals(-1f, px[3 * 4 + 3], 1e-6);
    }

    @Test
    void nearestResamplingIsRefusedWithTheSupportedFilters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PilResize.Filter.ofPil(0));
        assertTrue(e.getMessage().contains("BICUBIC"), e.getMessage());
    }
}
