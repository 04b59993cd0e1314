package ai.booth.contracts;

import java.util.List;

/**
 * Photos of a subject were uploaded to the datasets bucket's staging area and wait to be checked.
 *
 * @param datasetId    the dataset being built
 * @param stagingKeys  object keys in {@link Buckets#DATASETS}, as uploaded
 * @param subject      free-text description of the subject, e.g. "my dog Rex"
 */
@Topic(Topics.DATASET_INGESTED)
public record DatasetIngested(String datasetId, List<String> stagingKeys, @Nullable String subject)
        implements Payload {
}
