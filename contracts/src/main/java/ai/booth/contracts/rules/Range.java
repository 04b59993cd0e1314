package ai.booth.contracts.rules;

/**
 * Inclusive bounds of a numeric request field. The gateway answers 400 outside them and the workers refuse a
 * request outside them, so both read the numbers from here.
 */
public record Range(double min, double max) {

    public Range {
        if (!(min <= max)) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
    }

    public boolean contains(double value) {
        return value >= min && value <= max;
    }

    /** The one wording of a value outside these bounds, after the field's name. */
    public String outside(Object value) {
        return "must be in [" + format(min) + ", " + format(max) + "], got " + value;
    }

    /** "FIELD must be in [min, max], got VALUE" when a given value is outside; empty when absent or inside. */
    public java.util.Optional<String> problem(String field, Number value) {
        return value == null || contains(value.doubleValue()) ? java.util.Optional.empty()
                : java.util.Optional.of(field + " " + outside(value));
    }

    /** A bound or value in a message: whole numbers without a decimal point, others as Java writes them. */
    public static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.valueOf(value);
    }

    public int minInt() {
        return (int) min;
    }

    public int maxInt() {
        return (int) max;
    }
}
