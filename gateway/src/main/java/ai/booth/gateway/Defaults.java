package ai.booth.gateway;

/** Optional request fields: the client's value, or the documented default. */
final class Defaults {

    static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    static <T> T required(T value, String field) {
        if (value == null || (value instanceof String text && text.isBlank())) {
            throw new IllegalArgumentException("field '" + field + "' is required");
        }
        return value;
    }

    private Defaults() {
    }
}
