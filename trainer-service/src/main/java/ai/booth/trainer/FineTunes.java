package ai.booth.trainer;

import ai.booth.contracts.TrainingRequested;
import ai.booth.diffusion.train.TrainingResult;
import ai.booth.service.models.ModelInstallException;
import ai.booth.service.models.ModelLineage;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Installs a full fine-tune's model (its diffusers folder) as a base model of the registry, with its lineage, so
 * trainings and generations name it like any other model. Installing the same weights again (a redelivered job) is a
 * no-op of the registry.
 */
@ApplicationScoped
public class FineTunes {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final ModelRegistry registry;
    private final ObjectMapper json;

    public FineTunes(ModelRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    /** The id a training's fine-tuned model is installed under. */
    static String modelId(String trainingId) {
        return "ft-" + trainingId;
    }

    ModelManifest install(TrainingRequested request, TrainingResult result, String baseContentHash) {
        if (result.modelFolder() == null) { // TrainingRunner refuses such bases before training
            throw new IllegalStateException("full fine-tune " + request.trainingId() + " wrote no model folder");
        }
        ModelLineage lineage = new ModelLineage(ModelLineage.FINETUNE, request.baseModel(), baseContentHash,
                request.datasetId(), request.trainingId(), result.steps(), result.finalLoss(), hyperParameters(result));
        try {
            return registry.install(result.modelFolder(), modelId(request.trainingId()),
                    request.baseModel() + " + " + request.instancePrompt() + " (full fine-tune)", null, lineage);
        } catch (ModelInstallException e) {
            throw new JobFailure("MODEL_INSTALL_FAILED", e.getMessage(), e);
        }
    }

    private Map<String, Object> hyperParameters(TrainingResult result) {
        try {
            JsonNode config = json.readTree(result.metadataFile().toFile()).path("config");
            return json.convertValue(config, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + result.metadataFile(), e);
        }
    }
}
