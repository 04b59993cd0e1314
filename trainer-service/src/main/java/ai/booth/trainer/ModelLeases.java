package ai.booth.trainer;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.PipelineAssets;

/** Where a job gets its loaded base model from: the seam between the trainer and the worker's model cache. */
public interface ModelLeases {

    /**
     * The model {@code modelId} of the models bucket, loaded; held until the lease is closed.
     *
     * @throws JobFailure MODEL_NOT_FOUND when no such model is installed
     */
    Lease open(String modelId);

    /** A loaded model in use by one job; closing it lets the cache evict it. */
    interface Lease extends AutoCloseable {
        StableDiffusionModel model();

        /** The tokenizer and scheduler config the model trains and samples with. */
        PipelineAssets assets();

        /**
         * Makes the model this job's alone (nothing else will run it; it is closed with the lease), so the job may
         * free parts of it; false when another job holds it too.
         */
        boolean takeOver();

        @Override
        void close();
    }
}
