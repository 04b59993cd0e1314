package ai.booth.dataset.processing;

import java.util.Locale;

/** The image formats Booth accepts, recognised by their leading bytes (never by file name). */
public enum ImageFormat {
    JPEG("image/jpeg"), PNG("image/png"), WEBP("image/webp"), BMP("image/bmp");

    private final String contentType;

    ImageFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** Lower-case name as reports show it: jpeg, png, webp, bmp. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
