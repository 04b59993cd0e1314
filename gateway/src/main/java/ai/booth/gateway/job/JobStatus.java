package ai.booth.gateway.job;

/** Where a training or generation is: published, reporting progress, or finished one way or the other. */
public enum JobStatus {
    REQUESTED, RUNNING, COMPLETED, FAILED;

    public boolean finished() {
        return this == COMPLETED || this == FAILED;
    }
}
