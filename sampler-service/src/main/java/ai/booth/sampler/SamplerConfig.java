package ai.booth.sampler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** sampler-service settings: {@code booth.sampler.*}, env {@code BOOTH_SAMPLER_*}. */
@ConfigMapping(prefix = "booth.sampler")
public interface SamplerConfig {

    /**
     * Images per pipeline call, the unit of memory: each image's float RGB is held until its PNG is uploaded. Queued
     * compatible requests are packed into calls of at most this many images; at least 1.
     */
    @WithDefault("4")
    int maxBatch();
}
