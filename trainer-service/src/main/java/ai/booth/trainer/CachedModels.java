package ai.booth.trainer;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.service.models.ModelCache;
import ai.booth.service.models.ModelCacheException;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** Base models from the worker's {@link ModelCache} (downloaded, hash-checked, kept loaded between jobs). */
@Startup // the model cache checks the engine's device now: a node without it fails at start
@ApplicationScoped
public class CachedModels implements ModelLeases {

    private final ModelCache cache;

    public CachedModels(ModelCache cache) {
        this.cache = cache;
    }

    @Override
    public Lease open(String modelId) {
        ModelCache.ModelLease lease;
        try {
            lease = cache.model(modelId);
        } catch (ModelCacheException e) {
            throw new JobFailure(e.code(), e.getMessage(), e);
        }
        try {
            PipelineAssets assets = lease.assets();
            return new Lease() {
                @Override
                public StableDiffusionModel model() {
                    return lease.model();
                }

                @Override
                public PipelineAssets assets() {
                    return assets;
                }

                @Override
                public boolean takeOver() {
                    return lease.takeOver();
                }

                @Override
                public void close() {
                    lease.close();
                }
            };
        } catch (IllegalArgumentException e) {
            lease.close();
            throw new JobFailure("MODEL_NOT_TRAINABLE", "base model '" + modelId + "': " + e.getMessage(), e);
        }
    }
}
