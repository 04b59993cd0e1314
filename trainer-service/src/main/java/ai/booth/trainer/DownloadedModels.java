package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Interim {@link BaseModels}: downloads a diffusers folder from the models bucket once and loads it per job. The
 * worker's shared model cache replaces it.
 */
@DefaultBean
@ApplicationScoped
public class DownloadedModels implements BaseModels {

    private final ObjectStore store;
    private final Path dir;
    private final EngineOptions options;

    public DownloadedModels(ObjectStore store, TrainerConfig config,
                            @ConfigProperty(name = "booth.engine.device", defaultValue = "cpu") String device,
                            @ConfigProperty(name = "booth.engine.dtype", defaultValue = "float32") String dtype) {
        this.store = store;
        this.dir = config.workDir().resolve("models");
        this.options = EngineOptions.parse(device, dtype);
    }

    @Override
    public synchronized Lease open(String modelId) {
        String prefix = Buckets.modelPrefix(modelId);
        List<String> keys = store.list(Buckets.MODELS, prefix);
        if (keys.isEmpty()) {
            throw new JobFailure("MODEL_NOT_FOUND", "base model '" + modelId + "' is not in bucket " + Buckets.MODELS);
        }
        Path folder = dir.resolve(modelId);
        try {
            for (String key : keys) {
                Path file = folder.resolve(key.substring(prefix.length()));
                if (!Files.exists(file)) {
                    Files.createDirectories(file.getParent());
                    store.download(Buckets.MODELS, key, file, Long.MAX_VALUE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download base model " + modelId + " to " + folder, e);
        }
        StableDiffusionModel model = DiffusersFolderLoader.load(folder, options);
        PipelineAssets assets = PipelineAssets.of(model);
        return new Lease() {
            @Override
            public StableDiffusionModel model() {
                return model;
            }

            @Override
            public PipelineAssets assets() {
                return assets;
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }
}
