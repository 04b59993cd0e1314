package ai.booth.contracts;

import java.util.List;

/**
 * A dataset failed its checks and will not become ready.
 *
 * @param datasetId  the dataset
 * @param problems   one human-readable line per rejected file or rule, naming the file
 */
@Topic(Topics.DATASET_REJECTED)
public record DatasetRejected(String datasetId, List<String> problems) implements Payload {
}
