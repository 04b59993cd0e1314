package ai.booth.sampler;

import ai.booth.diffusion.pipeline.TextToImagePipeline;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** sampler-service settings: {@code booth.sampler.*}, env {@code BOOTH_SAMPLER_*}. */
@ConfigMapping(prefix = "booth.sampler")
public interface SamplerConfig {

    /**
     * Images per pipeline call, the unit of memory: each image's float RGB is held until its PNG is uploaded. Queued
     * compatible requests are packed into calls of at most this many images; at least 1.
     */
    @WithDefault("4")
    int maxBatch();

    /**
     * Images of one request rendered through the UNet and VAE as one batch when the model runs on a GPU (1 = one after
     * another); at least 1. On a CPU images are always rendered one at a time, each exactly what its PNG replays.
     */
    @WithDefault("" + TextToImagePipeline.GPU_STACK)
    int gpuStack();

    /**
     * How long a poll's generations wait in all for an unavailable S3 (pausing 1 s, doubling to 30 s, between
     * attempts) before its unfinished requests fail with S3_UNAVAILABLE. Below {@code booth.handoff.max-wait}, so a
     * rebalance waiting for the poll is not cut short by the outage.
     */
    @WithDefault("3M")
    Duration outageWait();
}
