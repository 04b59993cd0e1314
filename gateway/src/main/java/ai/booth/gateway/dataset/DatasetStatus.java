package ai.booth.gateway.dataset;

/** Where a dataset is in its life: uploaded and waiting for checks, usable for training, or refused. */
public enum DatasetStatus {
    INGESTING, READY, REJECTED
}
