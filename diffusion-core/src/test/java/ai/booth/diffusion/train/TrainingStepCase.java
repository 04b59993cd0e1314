package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraModule;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.testing.ReferenceChecks;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference {@code training_step} case set up as it says, for every test that runs it: the start adapter from
 * the case's LoRA file, AdamW with its two groups, the DreamBooth loss on the model's DDPM schedule, the batch, and a
 * {@link TrainingStep} without clipping (the rule has none). Inputs it feeds are recorded in the given checks.
 */
final class TrainingStepCase {

    private static final Pattern FILE = Pattern.compile("(\\S+\\.safetensors)");

    private final Reference ref;
    private final JsonNode c;
    private final StableDiffusionModel model;

    TrainingStepCase(Reference ref, StableDiffusionModel model) {
        this.ref = ref;
        this.c = ref.testCase("training_step");
        this.model = model;
    }

    JsonNode json() {
        return c;
    }

    double[] lrs() {
        return new double[] {c.get("lr_unet").doubleValue(), c.get("lr_text_encoder").doubleValue()};
    }

    void withStep(NDManager m, ReferenceChecks checks, BiConsumer<TrainingStep, TrainingBatch> body) {
        withStep(m, checks, (step, batch) -> {
            body.accept(step, batch);
            return null;
        });
    }

    /** Runs {@code body} with a fresh adapter, optimizer and step; the adapter is closed after it. */
    <T> T withStep(NDManager m, ReferenceChecks checks, BiFunction<TrainingStep, TrainingBatch, T> body) {
        return withStep(m, checks, false, body);
    }

    /** @param checkpointing whether the UNet runs with gradient checkpointing (recomputed stage by stage) */
    <T> T withStep(NDManager m, ReferenceChecks checks, boolean checkpointing,
                   BiFunction<TrainingStep, TrainingBatch, T> body) {
        try (LoraAdapter adapter = startAdapter(); TrainableLora lora = new TrainableLora(adapter, model, true);
             PromptEncoder prompts = new PromptEncoder(CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow()),
                     model.textEncoder(), 1, null);
             AdamW optimizer = optimizer(lora)) {
            List<String> texts = List.of(c.get("instance_prompt").asText(), c.get("class_prompt").asText());
            if (ref.hasTensor("train.input_ids")) {
                assertArrayEquals(ref.tensor("train.input_ids", m).toLongArray(),
                        prompts.ids(texts, m).toLongArray(), "token ids of the prompts");
                checks.used("train.input_ids");
            }
            var schedule = Schedulers.create("ddpm",
                    SchedulerConfig.fromFile(model.schedulerDir().orElseThrow().resolve("scheduler_config.json")),
                    Map.of());
            DreamBoothLoss loss = new DreamBoothLoss(model.unet(), schedule, c.get("prior_loss_weight").doubleValue(),
                    checkpointing);
            TrainingBatch batch = new TrainingBatch(ref.tensor("train.latents", m), ref.tensor("train.noise", m),
                    ref.tensor("train.timesteps", m), texts, 1);
            checks.used("train.latents", "train.noise", "train.timesteps");
            if (ref.hasTensor("train.noisy_latents")) {
                checks.compare("train.noisy_latents",
                        loss.noisyLatents(batch.latents(), batch.noise(), batch.timesteps()), ref.tolerance("training"));
            }
            return body.apply(new TrainingStep(lora, prompts, loss, optimizer, 0, LossScaler.disabled()), batch);
        }
    }

    /** The case's start adapter, loaded fresh. */
    private LoraAdapter startAdapter() {
        Matcher file = FILE.matcher(c.get("start").asText());
        assertTrue(file.find(), "the case names its start LoRA file: " + c.get("start"));
        LoraAdapter adapter = LoraAdapter.load(ref.dir().resolve(file.group(1)), model);
        // The case's lora_scale is PEFT's scaling alpha/rank, which the adapter applies at scale 1.
        for (LoraModule mod : adapter.modules()) {
            assertEquals(c.get("lora_scale").doubleValue(), mod.alpha() / mod.rank(), 1e-9, mod.peftName());
        }
        return adapter;
    }

    private AdamW optimizer(TrainableLora lora) {
        return new AdamW(new AdamW.Settings(c.get("betas").get(0).doubleValue(), c.get("betas").get(1).doubleValue(),
                c.get("eps").doubleValue(), c.get("weight_decay").doubleValue()),
                List.of(new AdamW.Group("unet", c.get("lr_unet").doubleValue(), lora.unetParameters()),
                        new AdamW.Group("text_encoder", c.get("lr_text_encoder").doubleValue(),
                                lora.textEncoderParameters())));
    }
}
