package ai.booth.contracts;

import java.util.List;

/**
 * A dataset upload (or reprocessing) produced no training set; none of its files was stored (a reprocessed dataset
 * keeps its previous version). A rejected upload keeps this answer at {@link Buckets#datasetRejectionKey}.
 *
 * @param datasetId  the dataset
 * @param problems   one human-readable line per rejected file or rule, naming the file
 * @param report     the quality report of what was checked, when the files were read at all
 */
@Topic(Topics.DATASET_REJECTED)
public record DatasetRejected(String datasetId, List<String> problems, @Nullable DatasetReport report)
        implements Payload {
}
