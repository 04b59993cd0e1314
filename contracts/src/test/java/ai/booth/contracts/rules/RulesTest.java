package ai.booth.contracts.rules;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesTest {

    @Test
    void rangesAreInclusive() {
        assertTrue(GenerationRules.STEPS.contains(1));
        assertTrue(GenerationRules.STEPS.contains(150));
        assertFalse(GenerationRules.STEPS.contains(0));
        assertFalse(GenerationRules.STEPS.contains(151));
        assertFalse(GenerationRules.GUIDANCE_SCALE.contains(Double.NaN), "NaN is outside every range");
        assertThrows(IllegalArgumentException.class, () -> new Range(2, 1));
    }

    @Test
    void sizesAreMultiplesOfEightWithinBounds() {
        assertTrue(GenerationRules.validSize(64));
        assertTrue(GenerationRules.validSize(2048));
        assertFalse(GenerationRules.validSize(500));
        assertFalse(GenerationRules.validSize(56));
        assertFalse(TrainingRules.validResolution(2056));
        assertTrue(TrainingRules.validResolution(128));
    }

    @Test
    void defaultsLieWithinTheirBounds() {
        assertTrue(GenerationRules.CLIP_SKIP.contains(GenerationRules.DEFAULT_CLIP_SKIP));
        assertTrue(GenerationRules.validSize(GenerationRules.DEFAULT_SIZE));
        assertTrue(GenerationRules.LORA_SCALE.contains(GenerationRules.DEFAULT_LORA_SCALE));
        assertTrue(TrainingRules.MAX_TRAIN_STEPS.contains(TrainingRules.DEFAULT_MAX_TRAIN_STEPS));
        assertTrue(TrainingRules.BATCH_SIZE.contains(TrainingRules.DEFAULT_BATCH_SIZE));
        assertTrue(TrainingRules.RANK.contains(TrainingRules.DEFAULT_RANK));
        assertTrue(TrainingRules.TEXT_ENCODER_LEARNING_RATE.contains(TrainingRules.DEFAULT_TEXT_ENCODER_LEARNING_RATE));
        assertTrue(TrainingRules.PRIOR_LOSS_WEIGHT.contains(TrainingRules.DEFAULT_PRIOR_LOSS_WEIGHT));
        assertEquals(0.0, TrainingRules.DEFAULT_TEXT_ENCODER_LEARNING_RATE, "the API and CLI freeze it by default");
    }

    @Test
    void aControlWindowMustOpenBeforeItClosesWithinTheSteps() {
        assertTrue(ControlRules.validWindow(ControlRules.DEFAULT_GUIDANCE_START, ControlRules.DEFAULT_GUIDANCE_END));
        assertFalse(ControlRules.validWindow(0.5, 0.5));
        assertFalse(ControlRules.validWindow(-0.1, 1));
        assertFalse(ControlRules.validWindow(0, 1.1));
        assertTrue(ControlRules.SCALE.contains(ControlRules.DEFAULT_SCALE));
        assertTrue(ControlRules.CANNY_THRESHOLD.contains(ControlRules.DEFAULT_CANNY_LOW));
        assertTrue(ControlRules.CANNY_THRESHOLD.contains(ControlRules.DEFAULT_CANNY_HIGH));
    }
}
