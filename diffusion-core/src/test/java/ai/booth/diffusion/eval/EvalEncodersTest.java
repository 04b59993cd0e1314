package ai.booth.diffusion.eval;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EvalEncodersTest {

    /** A world without a DINO of its own scores "DINO" with its CLIP's image tower: the embedding before projection. */
    @Test
    void theDinoSlotTakesAClipFolderAndUsesItsImageTowerBeforeTheProjection() {
        Path clipDir = Reference.fixturesDir().resolve("eval/clip");
        List<RgbImage> images = RgbImage.filesIn(Reference.fixturesDir().resolve("eval/images")).stream()
                .map(RgbImage::read).toList();
        float[][] tower;
        float[][] projected;
        try (EvalEncoders encoders = EvalEncoders.load(clipDir, clipDir, EngineOptions.defaults())) {
            tower = encoders.dinoEmbeds(images);
            projected = encoders.clipImageEmbeds(images);
        }
        float[][] w;
        try (NDManager m = NDManager.newBaseManager()) {
            var weight = SafeTensors.read(clipDir.resolve("model.safetensors"), m).get("visual_projection.weight");
            long[] shape = weight.getShape().getShape();
            float[] flat = weight.toFloatArray();
            w = new float[(int) shape[0]][];
            for (int r = 0; r < shape[0]; r++) {
                w[r] = java.util.Arrays.copyOfRange(flat, (int) (r * shape[1]), (int) ((r + 1) * shape[1]));
            }
            assertEquals(shape[1], tower[0].length, "the tower's width, not the projection's");
        }
        for (int i = 0; i < images.size(); i++) {
            for (int r = 0; r < w.length; r++) {
                double dot = 0;
                for (int k = 0; k < w[r].length; k++) {
                    dot += w[r][k] * tower[i][k];
                }
                assertEquals(projected[i][r], dot, 1e-4 * (1 + Math.abs(dot)), "image " + i + ", dim " + r);
            }
        }
    }
}
