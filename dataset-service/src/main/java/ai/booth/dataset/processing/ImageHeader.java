package ai.booth.dataset.processing;

/**
 * What an image file's header says, read without decoding pixels.
 *
 * @param format       decided from the content
 * @param width        stored pixels, before EXIF orientation
 * @param height       stored pixels, before EXIF orientation
 * @param orientation  EXIF orientation tag, 1 (as stored) to 8
 */
public record ImageHeader(ImageFormat format, int width, int height, int orientation) {

    public long pixels() {
        return (long) width * height;
    }

    /** Width as displayed, after the EXIF orientation. */
    public int orientedWidth() {
        return ExifOrientation.swapsAxes(orientation) ? height : width;
    }

    /** Height as displayed, after the EXIF orientation. */
    public int orientedHeight() {
        return ExifOrientation.swapsAxes(orientation) ? width : height;
    }
}
