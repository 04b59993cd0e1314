package ai.booth.diffusion.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Typed reads of a model's {@code config.json} with diffusers' defaults, naming the file and key on bad input.
 * Options a model does not implement are rejected with {@link #unsupportedUnless}, never silently ignored.
 */
public final class JsonConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final JsonNode node;

    public JsonConfig(String source, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        this.source = source;
        this.node = node;
    }

    public static JsonConfig read(Path file) {
        try {
            return new JsonConfig(file.toString(), JSON.readTree(Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config " + file + ": " + e.getMessage(), e);
        }
    }

    public static JsonConfig parse(String source, String json) {
        try {
            return new JsonConfig(source, JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    public String source() {
        return source;
    }

    public JsonNode node() {
        return node;
    }

    private JsonNode value(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public boolean has(String key) {
        return value(key) != null;
    }

    /** {@code key}'s value converted, the fallback when it is absent or null, an error naming it when ill-typed. */
    private <T> T read(String key, T fallback, Predicate<JsonNode> valid, String expected, Function<JsonNode, T> convert) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!valid.test(v)) {
            throw bad(key, expected, v);
        }
        return convert.apply(v);
    }

    public int integer(String key, int fallback) {
        return read(key, fallback, v -> v.canConvertToInt() && v.asDouble() == Math.rint(v.asDouble()), "an integer",
                JsonNode::asInt);
    }

    public double number(String key, double fallback) {
        return read(key, fallback, JsonNode::isNumber, "a number", JsonNode::asDouble);
    }

    public boolean bool(String key, boolean fallback) {
        return read(key, fallback, JsonNode::isBoolean, "true or false", JsonNode::asBoolean);
    }

    public String string(String key, String fallback) {
        return read(key, fallback, JsonNode::isTextual, "a string", JsonNode::asText);
    }

    public List<String> strings(String key, List<String> fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isArray()) {
            throw bad(key, "a list of strings", v);
        }
        List<String> out = new ArrayList<>();
        v.forEach(e -> {
            if (!e.isTextual()) {
                throw bad(key, "a list of strings", v);
            }
            out.add(e.asText());
        });
        return out;
    }

    /** An int list; an int or a missing key stands for that value repeated {@code n} times (diffusers' convention). */
    public int[] ints(String key, int fallback, int n) {
        JsonNode v = value(key);
        if (v == null || v.isNumber()) {
            int[] out = new int[n];
            java.util.Arrays.fill(out, integer(key, fallback));
            return out;
        }
        if (!v.isArray() || v.size() != n) {
            throw bad(key, "an integer or a list of " + n + " integers", v);
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (!v.get(i).isIntegralNumber()) {
                throw bad(key, "an integer or a list of " + n + " integers", v);
            }
            out[i] = v.get(i).asInt();
        }
        return out;
    }

    /** An int list of any length. */
    public int[] intList(String key, int[] fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isArray()) {
            throw bad(key, "a list of integers", v);
        }
        return ints(key, 0, v.size());
    }

    /** Rejects a config that sets {@code key} to anything but one of the {@code allowed} values (null = unset). */
    public void unsupportedUnless(String key, Object... allowed) {
        JsonNode v = value(key);
        for (Object a : allowed) {
            if (a == null ? v == null : v != null && v.asText().equals(String.valueOf(a))) {
                return;
            }
        }
        throw new IllegalArgumentException(source + ": " + key + " = " + v + " is not supported (supported: "
                + java.util.Arrays.toString(allowed) + ")");
    }

    private IllegalArgumentException bad(String key, String expected, JsonNode v) {
        return new IllegalArgumentException(source + ": " + key + " must be " + expected + ", got " + v);
    }
}
