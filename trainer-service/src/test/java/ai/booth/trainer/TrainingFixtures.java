package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.TestImages;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** What trainer tests put into S3 first: the fixture model and small processed datasets. */
final class TrainingFixtures {

    static final String MODEL = ModelRegistry.DEMO_MODEL_ID;

    /** The fixture model's diffusers folder ({@code booth.fixtures}/model). */
    static Path modelFolder() {
        return Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny")).resolve("model");
    }

    /** Installs the fixture model as {@code sd-tiny} through the registry (a no-op once installed). */
    static void installModel(ObjectStore store) {
        new ModelRegistry(store).ensureDemoModel(modelFolder());
    }

    /**
     * A processed dataset of {@code images} training images the way dataset-service stores it (images under
     * {@code processed/v1/}, {@code report.json} last), with just the report fields the trainer reads.
     */
    static String dataset(ObjectStore store, String ownerId, int images, int size) {
        String datasetId = UUID.randomUUID().toString();
        StringBuilder report = new StringBuilder("{\"datasetId\":\"" + datasetId + "\",\"version\":1,\"images\":[");
        for (int i = 0; i < images; i++) {
            String key = Buckets.datasetProcessedKey(ownerId, datasetId, 1, String.format("%02d.png", i));
            store.put(Buckets.DATASETS, key, TestImages.png(size + 8 * i, size), "image/png");
            report.append(i == 0 ? "" : ",").append("{\"processedKey\":\"").append(key)
                    .append("\",\"caption\":\"a photo of sks dog\",\"captionSource\":\"instancePrompt\"}");
        }
        report.append("],\"rejected\":[],\"warnings\":[]}");
        store.put(Buckets.DATASETS, Buckets.datasetReportKey(ownerId, datasetId), report.toString().getBytes(),
                "application/json");
        return datasetId;
    }

    /** A tiny training: 64 px, no prior preservation, no validation unless asked. */
    static TrainingRequested request(String datasetId, int steps, int checkpointInterval) {
        return request(datasetId, steps, checkpointInterval, false, 0, 0, List.of());
    }

    static TrainingRequested request(String datasetId, int steps, int checkpointInterval, boolean prior,
                                     int classImages, int validationInterval, List<String> validationPrompts) {
        return new TrainingRequested(UUID.randomUUID().toString(), MODEL, datasetId, "sks", "dog",
                "a photo of sks dog", "a photo of dog", prior, 1.0, classImages, 64, steps, 1, 2, 2.0, 1e-3, 0,
                "constant", 0, 7L, checkpointInterval, validationInterval, validationPrompts);
    }

    /** {@code lora} as a full fine-tune of every UNet weight (rank and alpha unused). */
    static TrainingRequested full(TrainingRequested r) {
        return new TrainingRequested(r.trainingId(), r.baseModel(), r.datasetId(), r.instanceToken(), r.classNoun(),
                r.instancePrompt(), r.classPrompt(), r.priorPreservation(), r.priorLossWeight(), r.classImageCount(),
                r.resolution(), r.maxTrainSteps(), r.batchSize(), r.rank(), r.alpha(), 5e-5, r.textEncoderLearningRate(),
                r.lrScheduler(), r.lrWarmupSteps(), r.seed(), r.checkpointInterval(), r.validationInterval(),
                r.validationPrompts(), TrainingRequested.FULL);
    }

    /** {@code lora} learning new tokens in {@code mode} (pivotal or textual_inversion), named in every prompt. */
    static TrainingRequested withTokens(TrainingRequested r, String mode, List<String> tokens,
                                        List<String> validationPrompts) {
        String name = String.join("", tokens);
        return new TrainingRequested(r.trainingId(), r.baseModel(), r.datasetId(), name, r.classNoun(),
                "a photo in the style of " + name, r.classPrompt(), r.priorPreservation(), r.priorLossWeight(),
                r.classImageCount(), r.resolution(), r.maxTrainSteps(), r.batchSize(), r.rank(), r.alpha(),
                r.unetLearningRate(), r.textEncoderLearningRate(), r.lrScheduler(), r.lrWarmupSteps(), r.seed(),
                r.checkpointInterval(), validationPrompts.isEmpty() ? 0 : r.maxTrainSteps(), validationPrompts, mode,
                null, tokens, "style", 1e-2);
    }

    /** {@code r} with {@code evaluate} set. */
    static TrainingRequested evaluate(TrainingRequested r, Boolean evaluate) {
        return evaluate(r, evaluate, null);
    }

    /** {@code r} with {@code evaluate} and {@code selectBy} set. */
    static TrainingRequested evaluate(TrainingRequested r, Boolean evaluate, String selectBy) {
        return with(r, evaluate, selectBy, r.noiseOffset(), r.snrGamma());
    }

    /** {@code r} with offset noise and Min-SNR-γ weighting. */
    static TrainingRequested tuned(TrainingRequested r, Double noiseOffset, Double snrGamma) {
        return with(r, r.evaluate(), r.selectBy(), noiseOffset, snrGamma);
    }

    private static TrainingRequested with(TrainingRequested r, Boolean evaluate, String selectBy, Double noiseOffset,
                                          Double snrGamma) {
        return new TrainingRequested(r.trainingId(), r.baseModel(), r.datasetId(), r.instanceToken(), r.classNoun(),
                r.instancePrompt(), r.classPrompt(), r.priorPreservation(), r.priorLossWeight(), r.classImageCount(),
                r.resolution(), r.maxTrainSteps(), r.batchSize(), r.rank(), r.alpha(), r.unetLearningRate(),
                r.textEncoderLearningRate(), r.lrScheduler(), r.lrWarmupSteps(), r.seed(), r.checkpointInterval(),
                r.validationInterval(), r.validationPrompts(), r.mode(), r.gradientCheckpointing(), r.newTokens(),
                r.initializerToken(), r.lrEmbeddings(), evaluate, selectBy, noiseOffset, snrGamma);
    }

    /** The eval fixture's CLIP and DINO folders installed as encoders {@code eval-clip} and {@code eval-dino}. */
    static void installEncoders(ObjectStore store) {
        Path eval = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny")).resolve("eval");
        ModelRegistry registry = new ModelRegistry(store);
        registry.installEncoder(eval.resolve("clip"), "eval-clip", null);
        registry.installEncoder(eval.resolve("dino"), "eval-dino", null);
    }

    private TrainingFixtures() {
    }
}
