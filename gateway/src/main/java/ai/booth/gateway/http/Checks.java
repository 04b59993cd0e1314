package ai.booth.gateway.http;

import ai.booth.contracts.rules.Range;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Validation of one request: every bad field is collected, then {@link #done()} answers 400 naming all of them.
 * Each check is skipped for absent (null) values, which take their defaults; {@link #required} says otherwise.
 */
public final class Checks {

    private final List<Problem.FieldError> errors = new ArrayList<>();

    public void fail(String field, String message) {
        errors.add(new Problem.FieldError(field, message));
    }

    public boolean required(String field, Object value) {
        if (value == null || (value instanceof String text && text.isBlank())) {
            fail(field, "is required");
            return false;
        }
        return true;
    }

    /** Whether {@code value} is absent or in [min, max]; a failure otherwise. */
    public boolean range(String field, Number value, double min, double max) {
        if (value != null && !(value.doubleValue() >= min && value.doubleValue() <= max)) {
            fail(field, new Range(min, max).outside(value));
            return false;
        }
        return true;
    }

    public boolean range(String field, Number value, Range range) {
        return range(field, value, range.min(), range.max());
    }

    /** A rate: above zero, at most max. */
    public void positive(String field, Double value, double max) {
        if (value != null && !(value > 0 && value <= max)) {
            fail(field, "must be in (0, " + Range.format(max) + "], got " + value);
        }
    }

    /** An image side: a multiple of 8 in [min, max] (the VAE halves it three times). */
    public void pixels(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max || value % 8 != 0)) {
            fail(field, "must be a multiple of 8 in [" + min + ", " + max + "], got " + value);
        }
    }

    public void length(String field, String value, int max) {
        if (value != null && value.length() > max) {
            fail(field, "must be at most " + max + " characters, got " + value.length());
        }
    }

    public void size(String field, Collection<?> values, int max) {
        if (values != null && values.size() > max) {
            fail(field, "must hold at most " + max + " entries, got " + values.size());
        }
    }

    /** Whether {@code value} is absent or one of {@code allowed} (any case); a failure otherwise. */
    public boolean oneOf(String field, String value, Collection<String> allowed) {
        if (value != null && !allowed.contains(value.toLowerCase(Locale.ROOT))) {
            fail(field, "must be one of " + allowed + ", got '" + value + "'");
            return false;
        }
        return true;
    }

    /**
     * The result of checking a part of the request with another kind's checks (a variant's training spec), or null
     * when they refused it: their fields are then this request's, under {@code prefix} ({@code variants[1].rank}).
     */
    public <T> T part(String prefix, Supplier<T> check) {
        try {
            return check.get();
        } catch (ProblemException e) {
            if (e.status() != 400 || e.errors().isEmpty()) {
                throw e;
            }
            e.errors().forEach(error -> fail(prefix + error.field(), error.message()));
            return null;
        }
    }

    /** Throws the 400 problem if any check failed. */
    public void done() {
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
    }

    /** A request field's value, or its default when the client left it out. */
    public static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
