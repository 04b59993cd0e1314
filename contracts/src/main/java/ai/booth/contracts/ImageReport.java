package ai.booth.contracts;

import java.util.List;

/**
 * What processing found and did for one accepted image.
 *
 * @param source           where it came from: the uploaded file name, or {@code archive.zip!path/in/archive.jpg}
 * @param originalKey      the original as uploaded, under {@code raw/} in {@link Buckets#DATASETS}
 * @param format           jpeg, png, webp or bmp, decided from the content
 * @param bytes            size of the original
 * @param width            pixels, after EXIF orientation
 * @param height           pixels, after EXIF orientation
 * @param exifOrientation  the EXIF orientation tag applied (1 = none)
 * @param faceFound        whether a face was detected (crop mode face only)
 * @param faceKind         human or cat, when a face was found
 * @param crop             the region of the oriented original that became the training image; in pad mode it
 *                         reaches beyond the photo and the outside is padding
 * @param processedKey     the training image, under {@code processed/v<n>/}; absent when left out (near-duplicate)
 * @param outputWidth      pixels of the training image
 * @param outputHeight     pixels of the training image
 * @param blurScore        variance of the Laplacian of the training image in grey levels²; low means blurry
 * @param blurry           blurScore is below the blur threshold
 * @param perceptualHash   64-bit DCT hash of the whole photo, 16 hex digits
 * @param duplicateGroup   photos in the same group are near-duplicates (hash distance within the threshold)
 * @param caption          its training caption
 * @param captionSource    file (a .txt beside it in the archive), instancePrompt, or none
 * @param notes            what else happened, e.g. no face found, left out as a near-duplicate
 */
public record ImageReport(String source, String originalKey, String format, long bytes, int width, int height,
                          int exifOrientation, boolean faceFound, @Nullable String faceKind, CropBox crop,
                          @Nullable String processedKey, int outputWidth, int outputHeight, double blurScore,
                          boolean blurry, String perceptualHash, @Nullable Integer duplicateGroup, String caption,
                          String captionSource, List<String> notes) {
}
