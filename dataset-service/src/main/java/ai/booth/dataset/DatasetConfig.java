package ai.booth.dataset;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * dataset-service settings: {@code booth.dataset.*}, env {@code BOOTH_DATASET_*}. The defaults fit the 768 Mi pod
 * (deploy): memory grows with threads (one photo each in flight), disk with concurrent jobs (their spooled uploads).
 */
@ConfigMapping(prefix = "booth.dataset")
public interface DatasetConfig {

    /** Image-processing threads, shared by all jobs: the bound on photos held in memory at once. */
    @WithDefault("2")
    int threads();

    /** Jobs (uploads, reprocessings) that run at once; the others wait with their requests unacknowledged. */
    @WithDefault("2")
    int concurrentJobs();

    /**
     * How long a job waits in all for an unavailable S3 (pausing 1 s, doubling to 30 s, between runs) before it ends
     * rejected with reason S3_UNAVAILABLE; meanwhile its request stays unacknowledged.
     */
    @WithDefault("5M")
    Duration outageWait();
}
