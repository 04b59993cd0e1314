package ai.booth.service.models;

/** A model or adapter cannot be provided; {@link #code()} is what a failure event reports. */
public class ModelCacheException extends RuntimeException {

    public static final String MODEL_NOT_FOUND = "MODEL_NOT_FOUND";
    public static final String ADAPTER_NOT_FOUND = "ADAPTER_NOT_FOUND";
    /** The downloaded files do not hash to the manifest's content hash (or do not have its sizes). */
    public static final String MODEL_CORRUPT = "MODEL_CORRUPT";
    public static final String CACHE_TOO_SMALL = "CACHE_TOO_SMALL";

    private final String code;

    public ModelCacheException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
