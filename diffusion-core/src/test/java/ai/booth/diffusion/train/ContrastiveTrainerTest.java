package ai.booth.diffusion.train;

import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.eval.EvalImageProcessor;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.loader.TransformersFolderLoader;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contrastive training of a CLIPModel: it learns to match its pairs, resumes bit for bit, refuses impossible batches. */
class ContrastiveTrainerTest {

    private static final String[] COLOURS = {"red", "green", "blue", "yellow"};
    private static final Color[] RGB = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};

    private static CLIPModel clip;
    private static CLIPTokenizer tokenizer;
    private static EvalImageProcessor processor;
    private static ContrastiveTrainer.Pairs pairs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        Path dir = Reference.fixturesDir().resolve("eval/clip");
        clip = TransformersFolderLoader.clip(dir, EngineOptions.defaults());
        tokenizer = CLIPTokenizer.fromFolder(dir);
        processor = EvalImageProcessor.read(dir.resolve("preprocessor_config.json"));
        // 8 pairs: a circle or a square in one of four colours, captioned by both
        List<RgbImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int c = 0; c < COLOURS.length; c++) {
            for (SyntheticImages.Kind kind : List.of(SyntheticImages.Kind.CIRCLE, SyntheticImages.Kind.SQUARE)) {
                images.add(RgbImage.of(SyntheticImages.draw(64, kind, RGB[c], Color.WHITE, 0.5f, 0.5f, 0.3f)));
                captions.add("a " + COLOURS[c] + " " + kind.name().toLowerCase());
            }
        }
        pairs = new ContrastiveTrainer.Pairs() {
            @Override
            public int size() {
                return images.size();
            }

            @Override
            public RgbImage image(int index) {
                return images.get(index);
            }

            @Override
            public String caption(int index) {
                return captions.get(index);
            }
        };
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    private static ContrastiveTrainer.Settings settings(int steps, int batch) {
        return new ContrastiveTrainer.Settings(steps, batch, 3e-3, "constant", 0, 0.1, 1.0, 11);
    }

    @Test
    void trainingTeachesTheModelWhichCaptionIsAnImagesOwn() {
        try (ContrastiveTrainer trainer = ContrastiveTrainer.start(clip, tokenizer, processor, pairs, settings(60, 8))) {
            ContrastiveTrainer.StepReport first = trainer.trainStep();
            ContrastiveTrainer.StepReport last = first;
            while (trainer.stepsDone() < 60) {
                last = trainer.trainStep();
                assertTrue(Float.isFinite(last.loss()), last.toString());
            }
            assertTrue(last.loss() < 0.5 * first.loss(), first + " -> " + last);
            assertEquals(1f, last.accuracy(), "every image's own caption scores highest: " + last);
            assertTrue(trainer.weights().containsKey("logit_scale"));
            assertEquals(clip.parameters().size() + 1, trainer.weights().size());
        }
    }

    @Test
    void aRunStoppedAtACheckpointResumesBitForBit() {
        Map<String, float[]> straight;
        try (ContrastiveTrainer t = ContrastiveTrainer.start(clip, tokenizer, processor, pairs, settings(6, 4))) {
            while (t.stepsDone() < 6) {
                t.trainStep();
            }
            straight = values(t.weights());
        }
        Path checkpoint = tmp.resolve("checkpoint");
        try (ContrastiveTrainer t = ContrastiveTrainer.start(clip, tokenizer, processor, pairs, settings(6, 4))) {
            t.trainStep();
            t.trainStep();
            t.checkpoint(checkpoint);
        }
        try (ContrastiveTrainer t = ContrastiveTrainer.resume(clip, tokenizer, processor, pairs, checkpoint, 0)) {
            while (t.stepsDone() < 6) {
                t.trainStep();
            }
            Map<String, float[]> after = values(t.weights());
            straight.forEach((k, v) -> assertTrue(Arrays.equals(v, after.get(k)), k + " differs after resume"));
        }
    }

    @Test
    void aBatchLargerThanTheDistinctCaptionsIsRefusedByName() {
        try (ContrastiveTrainer t = ContrastiveTrainer.start(clip, tokenizer, processor, pairs, settings(1, 9))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, t::trainStep);
            assertTrue(e.getMessage().contains("9 distinct captions cannot be drawn from 8 pairs"), e.getMessage());
        }
    }

    private static Map<String, float[]> values(Map<String, ai.djl.ndarray.NDArray> weights) {
        Map<String, float[]> out = new LinkedHashMap<>();
        weights.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }
}
