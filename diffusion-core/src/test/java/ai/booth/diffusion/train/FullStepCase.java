package ai.booth.diffusion.train;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.loader.OwnedCopies;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * The reference {@code full_step} case replayed from its inputs only: every UNet and text-encoder weight of a trainable
 * copy trained by its rule (prior preservation, clipping over all weights, AdamW with its two groups) for as many
 * steps as it records weights after ({@code full.after.*}, {@code full.after2.*}, ...). For cases the fixture
 * generator ran after it on the same, already fine-tuned weights; nothing expected is read.
 */
final class FullStepCase {

    static final String NAME = "full_step";

    private FullStepCase() {
    }

    /**
     * The case's training step on trainable copies of {@code model}'s UNet and text encoder: both fully trained
     * ({@link FullWeights}), AdamW with the case's two groups, prior preservation with its weight, clipping at its
     * {@code max_grad_norm}, one batch of the given inputs. Closing frees everything but the copies, unless kept.
     */
    static final class Step implements AutoCloseable {

        final UNet2DConditionModel unet;
        final CLIPTextModel textEncoder;
        final PromptEncoder prompts;
        final TrainingStep step;
        final TrainingBatch batch;
        final double[] lrs;
        private final FullWeights unetWeights;
        private final FullWeights textWeights;
        private final AdamW optimizer;
        private boolean keepCopies;

        /** @param checkpointing whether the UNet runs with gradient checkpointing (recomputed stage by stage) */
        Step(Reference ref, StableDiffusionModel model, NDArray latents, NDArray noise, NDArray timesteps,
             boolean checkpointing) {
            JsonNode c = ref.testCase(NAME);
            unet = OwnedCopies.unet(model.unet());
            textEncoder = OwnedCopies.textEncoder(model.textEncoder());
            lrs = new double[] {c.get("lr_unet").doubleValue(), c.get("lr_text_encoder").doubleValue()};
            unetWeights = new FullWeights("unet", unet.parameters());
            textWeights = new FullWeights("text_encoder", textEncoder.parameters());
            prompts = new PromptEncoder(CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow()), textEncoder, 1,
                    null);
            optimizer = new AdamW(new AdamW.Settings(c.get("betas").get(0).doubleValue(),
                    c.get("betas").get(1).doubleValue(), c.get("eps").doubleValue(),
                    c.get("weight_decay").doubleValue()),
                    List.of(new AdamW.Group("unet", lrs[0], unetWeights.parameters()),
                            new AdamW.Group("text_encoder", lrs[1], textWeights.parameters())));
            var schedule = Schedulers.create("ddpm",
                    SchedulerConfig.fromFile(model.schedulerDir().orElseThrow().resolve("scheduler_config.json")),
                    Map.of());
            DreamBoothLoss loss = new DreamBoothLoss(unet, schedule, c.get("prior_loss_weight").doubleValue(),
                    checkpointing);
            batch = new TrainingBatch(latents, noise, timesteps, texts(ref), 1);
            step = new TrainingStep(List.of(unetWeights, textWeights), prompts, loss, optimizer,
                    c.path("max_grad_norm").asDouble(0), LossScaler.disabled());
        }

        /** The instance and class prompt, in batch order. */
        static List<String> texts(Reference ref) {
            JsonNode c = ref.testCase(NAME);
            return List.of(c.get("instance_prompt").asText(), c.get("class_prompt").asText());
        }

        @Override
        public void close() {
            optimizer.close();
            prompts.close();
            textWeights.close();
            unetWeights.close();
            if (!keepCopies) {
                unet.close();
                textEncoder.close();
            }
        }
    }

    /** The model with {@code full_step}'s steps applied to copies of its UNet and text encoder. */
    static Trained train(Reference ref, StableDiffusionModel model) {
        try (NDManager m = NDManager.newBaseManager();
             Step s = new Step(ref, model, ref.tensor("full.latents", m), ref.tensor("full.noise", m),
                     ref.tensor("full.timesteps", m), false)) {
            for (int i = 0; i < steps(ref); i++) {
                s.step.accumulate(s.batch, 1.0);
                s.step.apply(s.lrs);
            }
            s.keepCopies = true;
            return new Trained(new StableDiffusionModel(s.textEncoder, s.unet, model.vae(), model.configs(),
                    model.options(), model.source(), model.configDir(), model.contentHash() + "+" + NAME));
        }
    }

    /** How many steps the case ran: one per recorded {@code full.after<k>.} stage. */
    static int steps(Reference ref) {
        return (int) ref.tensorNames().stream().filter(n -> n.matches("full\\.after\\d*\\..*"))
                .map(n -> n.substring(0, n.indexOf('.', "full.".length()))).distinct().count();
    }

    /** The fine-tuned model; closing frees the trained copies only (the VAE is the original model's). */
    record Trained(StableDiffusionModel model) implements AutoCloseable {
        @Override
        public void close() {
            model.unet().close();
            model.textEncoder().close();
        }
    }
}
