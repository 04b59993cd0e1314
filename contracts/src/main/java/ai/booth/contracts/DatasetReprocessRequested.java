package ai.booth.contracts;

/**
 * Process a ready dataset's stored originals again with other settings, without a new upload. The result is a new
 * version under {@code processed/v<n>/}, announced with {@link DatasetReady} (or {@link DatasetRejected} when no
 * image passes the new settings; the previous version then stays current).
 *
 * @param datasetId       a dataset that is ready
 * @param settings        the new settings
 * @param instancePrompt  new caption for images without a caption file; absent keeps the current one
 */
@Topic(Topics.DATASET_REPROCESS_REQUESTED)
public record DatasetReprocessRequested(String datasetId, DatasetSettings settings, @Nullable String instancePrompt)
        implements Payload {
}
