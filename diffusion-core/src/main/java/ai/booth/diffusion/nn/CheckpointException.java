package ai.booth.diffusion.nn;

import java.util.List;

/**
 * A checkpoint does not fit the model built from its config. Lists every missing, unexpected and mis-shaped key in
 * one message so a user fixes a file (or picks the right config) in one go.
 */
public class CheckpointException extends RuntimeException {

    private static final int SHOWN = 25;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misShaped;

    public CheckpointException(String what, List<String> missing, List<String> unexpected, List<String> misShaped) {
        super(message(what, missing, unexpected, misShaped));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misShaped = List.copyOf(misShaped);
    }

    public CheckpointException(String message) {
        super(message);
        this.missing = List.of();
        this.unexpected = List.of();
        this.misShaped = List.of();
    }

    public List<String> missing() {
        return missing;
    }

    public List<String> unexpected() {
        return unexpected;
    }

    public List<String> misShaped() {
        return misShaped;
    }

    private static String message(String what, List<String> missing, List<String> unexpected, List<String> misShaped) {
        StringBuilder sb = new StringBuilder(what).append(" does not match its config: ")
                .append(missing.size()).append(" missing, ")
                .append(unexpected.size()).append(" unexpected, ")
                .append(misShaped.size()).append(" mis-shaped key(s)");
        list(sb, "missing", missing);
        list(sb, "unexpected", unexpected);
        list(sb, "mis-shaped", misShaped);
        return sb.toString();
    }

    private static void list(StringBuilder sb, String label, List<String> keys) {
        for (int i = 0; i < Math.min(SHOWN, keys.size()); i++) {
            sb.append("\n  ").append(label).append(": ").append(keys.get(i));
        }
        if (keys.size() > SHOWN) {
            sb.append("\n  ... and ").append(keys.size() - SHOWN).append(" more ").append(label);
        }
    }
}
