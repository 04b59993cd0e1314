package ai.booth.cli;

import ai.booth.contracts.rules.TrainingRules;
import ai.booth.diffusion.train.LrSchedule;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.pipeline.PipelineImages;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.train.DreamBoothJob;
import ai.booth.diffusion.train.ProgressListener;
import ai.booth.diffusion.train.TrainingConfig;
import ai.booth.diffusion.train.TrainingResult;
import ai.djl.ndarray.types.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"DreamBooth LoRA training: a folder of photos to adapter files (PEFT/diffusers and "
                + "kohya/A1111 layouts) plus metadata.json, with prior preservation on class images (made with the "
                + "base model when the class folder has too few). With --new-tokens, pivotal tuning (new token "
                + "embeddings and the LoRA) or textual inversion (--mode textual_inversion): the embeddings are "
                + "written beside the LoRA as OUT_NAME.safetensors (A1111) and OUT_NAME_emb.safetensors "
                + "(kohya/diffusers). With --mode full, every UNet weight trains (and the text encoder's with "
                + "--train-text-encoder): the result is a new model, a diffusers folder OUT/model and one A1111 "
                + "file OUT/model.safetensors, usable with --model everywhere. Ctrl-C stops at the next step and writes a checkpoint to --resume from.",
                "Example: booth train --images photos/ --instance-prompt \"a photo of sks dog\" "
                        + "--class-prompt \"a photo of dog\" --steps 400 --out rex/",
                "Pivotal: booth train --images art/ --instance-prompt \"a painting in the style of <s1><s2>\" "
                        + "--new-tokens '<s1><s2>' --initializer-token style --no-prior --out my-style/",
                "Full: booth train --mode full --images photos/ --instance-prompt \"a photo of sks dog\" "
                        + "--class-prompt \"a photo of dog\" --lr-unet 2e-6 --steps 400 --out rex-model/"})
final class TrainCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--images", required = true, paramLabel = "DIR",
            description = "The subject's photos (png/jpg/bmp/gif; a PHOTO.txt next to a photo is its caption).")
    Path images;

    @Option(names = "--instance-prompt", required = true, description = "e.g. \"a photo of sks dog\".")
    String instancePrompt;

    @Option(names = "--class-prompt", description = "e.g. \"a photo of dog\" (needed for prior preservation).")
    String classPrompt;

    @Option(names = "--class-images", paramLabel = "DIR",
            description = "Class images; missing ones are generated into it (default: OUT/class_images).")
    Path classImages;

    @Option(names = "--latent-caches", paramLabel = "DIR",
            description = "Latent caches shared with other trainings: one made from the same images, prompts,"
                    + " resolution and flips is read instead of encoding them again (default: none).")
    Path latentCaches;

    @Option(names = "--num-class-images", defaultValue = "" + TrainingRules.DEFAULT_CLASS_IMAGES, description = "Class images used (default: ${DEFAULT-VALUE}).")
    int numClassImages;

    @Option(names = "--no-prior", description = "Train without prior preservation.")
    boolean noPrior;

    @Option(names = "--prior-weight", defaultValue = "1.0", description = "λ of the prior loss (default: ${DEFAULT-VALUE}).")
    double priorWeight;

    @Option(names = "--steps", defaultValue = "" + TrainingRules.DEFAULT_MAX_TRAIN_STEPS, description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--epochs", defaultValue = "0", description = "Train this many epochs instead of --steps.")
    int epochs;

    @Option(names = "--rank", defaultValue = "" + TrainingRules.DEFAULT_RANK, description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", description = "LoRA alpha (default: the rank).")
    Float alpha;

    @Option(names = "--targets", defaultValue = "attention", paramLabel = "attention|transformer",
            description = "Layers to adapt (default: ${DEFAULT-VALUE}).")
    String targets;

    @Option(names = "--lr-unet", description = "UNet learning rate (default: 1e-4; 5e-6 with --mode full).")
    Double lrUnet;

    @Option(names = "--train-text-encoder",
            description = "Also train the text encoder (LoRA on its attention, or every weight with --mode full).")
    boolean trainTextEncoder;

    @Option(names = "--lr-text", description = "Text-encoder learning rate; giving one trains it "
            + "(default: frozen, as the API; 5e-5 with --train-text-encoder).")
    Double lrText;

    @Option(names = "--no-text-encoder", description = "Train the UNet only (the default; overrides the two above).")
    boolean noTextEncoder;

    @Option(names = "--lr-schedule", defaultValue = LrSchedule.DEFAULT,
            description = "constant, constant_with_warmup, linear, cosine, cosine_with_restarts, polynomial.")
    String lrSchedule;

    @Option(names = "--warmup", defaultValue = "0", description = "Warmup steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "1e-2", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--batch-size", defaultValue = "" + TrainingRules.DEFAULT_BATCH_SIZE, description = "Instance images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--grad-accum", defaultValue = "1", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Gradient clipping, 0 = off (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--noise-offset", defaultValue = "0", description = "Offset noise: a per-channel constant of this"
            + " scale added to the training noise, so very dark or bright images can be learnt (kohya's"
            + " --noise_offset; 0.05-0.1 is usual; default: ${DEFAULT-VALUE}, off).")
    double noiseOffset;

    @Option(names = "--snr-gamma", defaultValue = "0", description = "Min-SNR-gamma loss weighting (diffusers'"
            + " --snr_gamma; 5 recommended): faster, steadier convergence (default: ${DEFAULT-VALUE}, off).")
    double snrGamma;

    @Option(names = "--resolution", description = "Training size in pixels (default: the model's native size, as the API"
            + " trains at the dataset's).")
    Integer resolution;

    @Option(names = "--random-flip", description = "Mirror images at random.")
    boolean randomFlip;

    @Option(names = "--seed", defaultValue = "0", description = "The job's seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Checkpoint every N steps (0 = never).")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "0", description = "Keep the newest N checkpoints (0 = all).")
    int keepCheckpoints;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue from a checkpoint folder.")
    Path resume;

    @Option(names = "--validation-prompt", description = "Render this prompt during training (repeatable).")
    List<String> validationPrompts;

    @Option(names = "--validation-every", defaultValue = "0", description = "Render validation images every N steps.")
    int validationEvery;

    @Option(names = "--sample-steps", defaultValue = "25",
            description = "Sampler steps of class and validation images (default: ${DEFAULT-VALUE}).")
    int sampleSteps;

    @Option(names = "--new-tokens", paramLabel = "TOKENS",
            description = "Tokens to add and learn, e.g. '<s1><s2>' (or names separated by commas); the prompts use "
                    + "them literally. Implies --mode pivotal unless given.")
    String newTokens;

    @Option(names = "--mode", paramLabel = "lora|full|pivotal|textual_inversion",
            description = "What to train: a LoRA, every UNet weight (full: a new model, float32), new tokens with a "
                    + "LoRA, new tokens only (default: pivotal with --new-tokens, else lora).")
    String mode;

    @Option(names = "--initializer-token", paramLabel = "WORD",
            description = "Start the new embeddings from this word's (default: random at the embeddings' scale).")
    String initializerToken;

    @Option(names = "--lr-embeddings", defaultValue = "1e-3",
            description = "Learning rate of the new embeddings (default: ${DEFAULT-VALUE}).")
    double lrEmbeddings;

    @Option(names = "--weight-decay-embeddings", defaultValue = "0",
            description = "Weight decay of the new embeddings (default: ${DEFAULT-VALUE}).")
    double weightDecayEmbeddings;

    @Option(names = "--gradient-checkpointing",
            description = "Recompute the UNet block by block in backward instead of keeping its activations: less "
                    + "memory (for full fine-tunes at real sizes) for about one more forward per step.")
    boolean gradientCheckpointing;

    @Option(names = "--dataset-id", description = "Recorded in the metadata.")
    String datasetId;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        boolean half = EngineOptions.parseDtype(model.dtype) == DataType.FLOAT16;
        TrainingConfig.Builder config = TrainingConfig.builder().instancePrompt(instancePrompt).classPrompt(classPrompt)
                .priorPreservation(!noPrior).priorLossWeight(priorWeight).rank(rank)
                .trainTextEncoder(!noTextEncoder && (trainTextEncoder || lrText != null && lrText > 0))
                .loraTargets(targets).weightDecay(weightDecay)
                .lrSchedule(lrSchedule).warmupSteps(warmup).maxSteps(steps).epochs(epochs).batchSize(batchSize)
                .gradientAccumulation(gradAccum).maxGradNorm(maxGradNorm).noiseOffset(noiseOffset).snrGamma(snrGamma)
                .randomFlip(randomFlip).seed(seed).mixedPrecision(half ? "fp16" : "no")
                .checkpointEvery(checkpointEvery).checkpointsToKeep(keepCheckpoints)
                .validationEvery(validationEvery).validationPrompts(validationPrompts).validationSeed(seed)
                .datasetId(datasetId).mode(mode).newTokens(TrainingConfig.parseTokens(newTokens))
                .initializerToken(initializerToken).lrEmbeddings(lrEmbeddings)
                .weightDecayEmbeddings(weightDecayEmbeddings).gradientCheckpointing(gradientCheckpointing);
        if (lrText != null) {
            config.lrTextEncoder(lrText);
        }
        if (lrUnet != null) {
            config.lrUnet(lrUnet);
        }
        if (alpha != null) {
            config.alpha(alpha);
        }
        AtomicBoolean stop = new AtomicBoolean();
        // Ctrl-C: finish the step, write a checkpoint, exit
        SignalHandler previous = Signal.handle(new Signal("INT"), s -> stop.set(true));
        ProgressListener progress = quiet ? ProgressListener.NONE : new ProgressBar(err);
        try (StableDiffusionModel sd = model.load()) {
            PipelineAssets assets = model.assets(sd);
            return train(sd, assets, config, stop, progress, err);
        } finally {
            Signal.handle(new Signal("INT"), previous);
        }
    }

    private int train(StableDiffusionModel sd, PipelineAssets assets, TrainingConfig.Builder config, AtomicBoolean stop,
                      ProgressListener progress, PrintWriter err) {
        try (TextToImagePipeline pipeline = new TextToImagePipeline(sd, assets)) {
            int size = resolution != null ? resolution : pipeline.defaultSize(); // the same default as generate
            config.resolution(size);
            PipelineImages images = new PipelineImages(pipeline, GenerationParams.builder("").steps(sampleSteps)
                    .seed(seed).size(size, size).build());
            DreamBoothJob job = new DreamBoothJob(this.images, noPrior ? null
                    : classImages != null ? classImages : out.resolve("class_images"), numClassImages, config.build(),
                    out, resume, latentCaches);
            // sd was loaded for this run alone: a full fine-tune frees the base UNet it trains a copy of
            TrainingResult result = job.run(new DreamBoothJob.Engine(sd, assets.tokenizer(), assets.schedulerConfig(),
                    images, images, true), progress, stop::get);
            PrintWriter stdout = spec.commandLine().getOut();
            if (result.cancelled()) {
                err.println("stopped at step " + result.steps() + "; continue with --resume " + result.lastCheckpoint());
                stdout.println(result.lastCheckpoint());
                return 130;
            }
            if (result.peftFile() != null) {
                stdout.println(result.peftFile());
                stdout.println(result.kohyaFile());
            }
            if (result.modelFolder() != null) {
                stdout.println(result.modelFolder());
                stdout.println(result.modelFile());
            }
            result.embeddingFiles().forEach(stdout::println);
            stdout.println(result.metadataFile());
        }
        return 0;
    }
}
