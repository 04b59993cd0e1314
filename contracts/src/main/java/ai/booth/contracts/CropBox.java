package ai.booth.contracts;

/**
 * A rectangle in pixels of an oriented original photo.
 *
 * @param x       left edge (negative when padding reaches beyond the photo)
 * @param y       top edge
 * @param width   pixels
 * @param height  pixels
 */
public record CropBox(int x, int y, int width, int height) {
}
