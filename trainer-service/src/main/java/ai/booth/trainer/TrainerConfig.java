package ai.booth.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

/** trainer-service settings: {@code booth.trainer.*}, env {@code BOOTH_TRAINER_*}. */
@ConfigMapping(prefix = "booth.trainer")
public interface TrainerConfig {

    /** Local scratch space of the running job (dataset, class images, checkpoints before upload); wiped per job. */
    @WithDefault("${java.io.tmpdir}/booth-trainer")
    Path workDir();

    /** At most one progress event per this interval (the final step, checkpoints and validations always report). */
    @WithDefault("2S")
    Duration progressInterval();

    /** Checkpoints kept in S3 per job: the newest ones, older are deleted once a newer one is complete. */
    @WithDefault("1")
    int checkpointsToKeep();

    /**
     * How long a job waits in all for an unavailable S3 (pausing 1 s, doubling to 30 s, between runs; a run resumes
     * from its newest complete checkpoint) before it fails with S3_UNAVAILABLE.
     */
    @WithDefault("5M")
    Duration outageWait();

    /** Class images (prior preservation) and validation images: how they are rendered. */
    Sampling sampling();

    interface Sampling {
        /** Denoising steps of class images and validation images (diffusers' scripts use the pipeline default). */
        @WithDefault("25")
        int steps();

        @WithDefault("7.5")
        double guidanceScale();

        @WithDefault("dpmpp_2m_karras")
        String scheduler();

        /** How long a job waits for the sampler to deliver its class images before it fails. */
        @WithDefault("30M")
        Duration classImageTimeout();
    }
}
