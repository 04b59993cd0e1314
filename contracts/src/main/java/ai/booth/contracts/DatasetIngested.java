package ai.booth.contracts;

import java.util.List;

/**
 * Photos of a subject were uploaded to the datasets bucket's staging area and wait to be checked.
 *
 * @param datasetId       the dataset being built
 * @param stagingKeys     object keys in {@link Buckets#DATASETS}, as uploaded: images or zip archives of images
 * @param subject         free-text description of the subject, e.g. "my dog Rex"
 * @param instancePrompt  caption of every image without a caption file, e.g. "a photo of sks dog"
 * @param settings        how to process the photos; absent means {@link DatasetSettings#DEFAULT}
 */
@Topic(Topics.DATASET_INGESTED)
public record DatasetIngested(String datasetId, List<String> stagingKeys, @Nullable String subject,
                              @Nullable String instancePrompt, @Nullable DatasetSettings settings)
        implements Payload {
}
