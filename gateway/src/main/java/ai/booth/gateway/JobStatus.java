package ai.booth.gateway;

/** Where a training or generation is: published, reporting progress, or finished one way or the other. */
public enum JobStatus {
    REQUESTED, RUNNING, COMPLETED, FAILED;

    boolean finished() {
        return this == COMPLETED || this == FAILED;
    }
}
