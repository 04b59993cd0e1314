package ai.booth.contracts;

/**
 * Counts over a dataset report.
 *
 * @param files               files checked (archives expanded; skipped entries such as __MACOSX not counted)
 * @param accepted            images accepted and stored as originals
 * @param rejected            files rejected
 * @param trainingImages      images in the training set
 * @param facesFound          accepted images with a detected face
 * @param duplicateGroups     groups of near-duplicate photos
 * @param duplicatesLeftOut   near-duplicates left out of the training set
 * @param blurry              accepted images flagged blurry
 */
public record ReportTotals(int files, int accepted, int rejected, int trainingImages, int facesFound,
                           int duplicateGroups, int duplicatesLeftOut, int blurry) {
}
