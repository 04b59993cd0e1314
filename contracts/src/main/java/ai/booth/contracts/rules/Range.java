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

    public int minInt() {
        return (int) min;
    }

    public int maxInt() {
        return (int) max;
    }
}
