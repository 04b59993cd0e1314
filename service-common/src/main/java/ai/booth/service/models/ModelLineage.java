package ai.booth.service.models;

import java.util.Map;

/**
 * Where a model Booth made itself comes from: the base it was trained from (by id and by weights), the data and
 * the hyper-parameters, so a fine-tune can be reproduced and its LoRAs matched to their base.
 *
 * @param kind             {@value #FINETUNE}: every UNet weight (and maybe the text encoder's) trained by DreamBooth
 * @param baseModel        the installed model it was trained from
 * @param baseContentHash  that model's {@link ModelManifest#contentHash()}
 * @param datasetId        the training's dataset
 * @param trainingId       the training that made it
 * @param steps            optimizer steps done
 * @param finalLoss        smoothed loss at the end
 * @param hyperParameters  the engine's training config, as its {@code metadata.json} records it
 */
public record ModelLineage(String kind, String baseModel, String baseContentHash, String datasetId,
                           String trainingId, int steps, double finalLoss, Map<String, Object> hyperParameters) {

    public static final String FINETUNE = "finetune";
}
