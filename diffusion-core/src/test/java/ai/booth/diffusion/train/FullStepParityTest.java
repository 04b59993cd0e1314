package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.testing.ReferenceChecks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference {@code full_step} case (fixture subset {@code training}): a full DreamBooth fine-tune — every UNet and
 * text-encoder weight — with prior preservation, gradients clipped over all weights together, and AdamW with separate
 * learning rates, two steps on one batch, run through the trainer's own {@link TrainingStep} on trainable copies of
 * the model. Every {@code full.*} tensor is compared.
 *
 * <p>Of the token embedding the fixture records only the rows {@code full.embedding_rows} (the prompts' tokens); the
 * other rows are checked to have only decayed. After a step, weights are checked as in {@link TrainingStepParityTest}:
 * every element with AdamW fed the reference gradients, and end to end where the clipped gradient is at least 100·ε
 * (Adam's first step is ill-conditioned below that).
 */
class FullStepParityTest {

    private static final String EMBEDDING = "text_encoder.text_model.embeddings.token_embedding.weight";

    private static Reference ref;
    private static JsonNode c;
    private static StableDiffusionModel model;
    private static NDManager m;
    private static ReferenceChecks checks;

    @BeforeAll
    static void load() {
        ref = Reference.load("training");
        c = ref.testCase("full_step");
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        m = NDManager.newBaseManager();
        checks = new ReferenceChecks(ref, m);
    }

    @AfterAll
    static void close() {
        try {
            checks.assertAllChecked("full.");
        } finally {
            m.close();
            model.close();
            ref.close();
        }
    }

    private static double[] lrs() {
        return new double[] {c.get("lr_unet").doubleValue(), c.get("lr_text_encoder").doubleValue()};
    }

    private static double maxGradNorm() {
        return c.path("max_grad_norm").asDouble(0);
    }

    private static long[] embeddingRows() {
        return checks.expected("full.embedding_rows").toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
    }

    /** The recorded part of a weight or gradient: the embedding rows the fixture lists, the whole tensor otherwise. */
    private static NDArray recorded(String name, NDArray full) {
        return name.equals(EMBEDDING) ? full.get(checks.expected("full.embedding_rows")) : full;
    }

    private static void withStep(BiConsumer<TrainingStep, TrainingBatch> body) {
        withStep(false, body);
    }

    /** @param checkpointing whether the UNet runs with gradient checkpointing (recomputed stage by stage) */
    private static void withStep(boolean checkpointing, BiConsumer<TrainingStep, TrainingBatch> body) {
        try (FullStepCase.Step s = new FullStepCase.Step(ref, model, checks.expected("full.latents"),
                checks.expected("full.noise"), checks.expected("full.timesteps"), checkpointing)) {
            checks.used("full.latents", "full.noise", "full.timesteps");
            assertArrayEquals(checks.expected("full.input_ids").toLongArray(),
                    s.prompts.ids(FullStepCase.Step.texts(ref), m).toLongArray(), "token ids of the prompts");
            checks.used("full.input_ids", "full.embedding_rows");
            body.accept(s.step, s.batch);
        }
    }

    /** The reference's step-1 gradients as the optimizer sees them: whole tensors, clipped by the reference norm. */
    private static Map<String, NDArray> referenceGradients(TrainingStep step) {
        double norm = checks.expected("full.grad_norm").getFloat();
        float coefficient = maxGradNorm() > 0 ? Math.min((float) maxGradNorm() / ((float) norm + 1e-6f), 1f) : 1f;
        Map<String, NDArray> grads = new HashMap<>();
        step.parameters().forEach((name, p) -> {
            NDArray g = checks.expected("full.grad." + name);
            if (name.equals(EMBEDDING)) {   // unrecorded rows: tokens the prompts do not use, gradient 0
                long width = p.getShape().get(1);
                float[] whole = new float[(int) p.size()];
                float[] rows = g.toFloatArray();
                long[] ids = embeddingRows();
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(rows, (int) (i * width), whole, (int) (ids[i] * width), (int) width);
                }
                g = m.create(whole, p.getShape());
            }
            grads.put(name, g.mul(coefficient));
        });
        return grads;
    }

    @Test
    void lossTermsEveryGradientAndTheTotalNormMatch() {
        withStep((step, batch) -> {
            Reference.Tolerance tol = ref.tolerance("training");
            TrainingStep.Losses losses = step.accumulate(batch, 1.0);
            checks.compare("full.loss", m.create(losses.total()), tol);
            checks.compare("full.loss_instance", m.create(losses.instance()), tol);
            checks.compare("full.loss_prior", m.create(losses.prior()), tol);
            Map<String, NDArray> grads = gradients(step);
            assertEquals(ref.tensorNames().stream().filter(n -> n.startsWith("full.grad.")).count(), grads.size(),
                    "one reference gradient per trained weight");
            grads.forEach((name, g) -> checks.compare("full.grad." + name, recorded(name, g), tol));
            checks.compare("full.grad_norm", m.create(GradientClipping.totalNorm(grads.values())), tol);
        });
    }

    @Test
    void withGradientCheckpointingTheLossesAndEveryGradientStillMatch() {
        withStep(true, (step, batch) -> {
            Reference.Tolerance tol = ref.tolerance("training");
            TrainingStep.Losses losses = step.accumulate(batch, 1.0);
            checks.compare("full.loss", m.create(losses.total()), tol);
            checks.compare("full.loss_prior", m.create(losses.prior()), tol);
            Map<String, NDArray> grads = gradients(step);
            grads.forEach((name, g) -> checks.compare("full.grad." + name, recorded(name, g), tol));
            checks.compare("full.grad_norm", m.create(GradientClipping.totalNorm(grads.values())), tol);
        });
    }

    private static Map<String, NDArray> gradients(TrainingStep step) {
        Map<String, NDArray> grads = new HashMap<>();
        step.parameters().forEach((name, p) -> {
            NDArray g = p.getGradient();
            g.attach(m);
            grads.put(name, g);
        });
        return grads;
    }

    @Test
    void adamWOnTheReferenceGradientsGivesTheReferenceWeights() {
        withStep((step, batch) -> {
            step.optimizer().step(lrs(), referenceGradients(step));
            step.parameters().forEach((name, p) -> checks.compare("full.after." + name, recorded(name, p),
                    ref.tolerance("training_params")));
        });
    }

    @Test
    void twoStepsEndToEndWithClippingOverAllWeights() {
        withStep((step, batch) -> {
            Reference.Tolerance tol = ref.tolerance("training");
            double wellConditioned = 100 * c.get("eps").doubleValue();
            Map<String, NDArray> masks = new HashMap<>();
            referenceGradients(step).forEach((name, g) -> masks.put(name, recorded(name, g).abs().gte(wellConditioned)));
            NDArray before = step.parameters().get(EMBEDDING).duplicate();
            before.attach(m);

            step.accumulate(batch, 1.0);
            TrainingStep.Update first = step.apply(lrs());
            checks.compare("full.grad_norm", m.create((float) first.gradNorm()), tol);
            step.parameters().forEach((name, p) -> compareWellConditioned("full.after." + name, p, masks.get(name), 1));
            assertOnlyDecayed(before, step.parameters().get(EMBEDDING), 1);

            TrainingStep.Losses second = step.accumulate(batch, 1.0);
            checks.compare("full.loss2", m.create(second.total()), tol);
            TrainingStep.Update update = step.apply(lrs());
            checks.compare("full.grad_norm2", m.create((float) update.gradNorm()), tol);
            step.parameters().forEach((name, p) -> compareWellConditioned("full.after2." + name, p, masks.get(name), 2));
            assertOnlyDecayed(before, step.parameters().get(EMBEDDING), 2);
        });
    }

    /**
     * The weight's well-conditioned elements within {@code training_params}. A tensor with none (e.g. the bias of a
     * convolution right before a group norm, whose gradient is a few ε) is left to the gradient check and to
     * {@link #adamWOnTheReferenceGradientsGivesTheReferenceWeights}; here it must have moved no further than Adam
     * can: lr per step plus weight decay.
     */
    private static void compareWellConditioned(String name, NDArray p, NDArray mask, int steps) {
        String key = name.substring(name.indexOf('.', "full.after".length()) + 1);
        if (mask.any().getBoolean()) {
            checks.compareWhere(name, recorded(key, p), mask, ref.tolerance("training_params"));
            return;
        }
        NDArray start = original(key);
        double lr = key.startsWith("unet.") ? lrs()[0] : lrs()[1];
        double bound = steps * lr * (1 + c.get("weight_decay").doubleValue() * start.abs().max().getFloat()) * 1.001;
        float moved = p.sub(start).abs().max().getFloat();
        org.junit.jupiter.api.Assertions.assertTrue(moved <= bound, name + " moved " + moved + ", Adam moves at most "
                + bound + " in " + steps + " step(s)");
        checks.used(name);
    }

    /** A weight of the loaded model (the trained copies started from it and it never changes). */
    private static NDArray original(String name) {
        String key = name.substring(name.indexOf('.') + 1);
        return name.startsWith("unet.") ? model.unet().parameters().get(key) : model.textEncoder().parameters().get(key);
    }

    /** Rows of tokens the prompts do not use: only weight decay, {@code row·(1 − lr·wd)} per step, touches them. */
    private static void assertOnlyDecayed(NDArray before, NDArray after, int steps) {
        boolean[] mask = new boolean[(int) before.getShape().get(0)];
        java.util.Arrays.fill(mask, true);
        for (long id : embeddingRows()) {
            mask[(int) id] = false;
        }
        NDArray unused = m.create(mask);
        NDArray expected = before.get(unused);
        float factor = (float) (1 - lrs()[1] * c.get("weight_decay").doubleValue());
        for (int i = 0; i < steps; i++) {
            expected = expected.mul(factor);
        }
        Reference.assertClose("unused embedding rows after " + steps + " step(s)", after.get(unused), expected,
                ref.tolerance("training_params"));
    }
}
