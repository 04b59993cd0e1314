package ai.booth.diffusion.scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A diffusers {@code scheduler_config.json} of any scheduler class: the keys it sets (JSON values as Java
 * {@code Number}, {@code Boolean}, {@code String}, {@code List} or {@code null}) and the class that wrote it.
 *
 * <p>{@link #resolve} turns it into the configuration of a target scheduler the way diffusers' {@code from_config}
 * does: the target's defaults, overwritten by the keys of this config that the target knows, overwritten by explicit
 * overrides. Keys the source class only had as its own defaults ({@code _use_default_values}) do not carry over, so
 * a DDIM built from SD-1.5's PNDM config gets DDIM's {@code clip_sample: true}, as in diffusers.
 */
public record SchedulerConfig(String className, Map<String, Object> values) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SchedulerConfig {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Reads a {@code scheduler_config.json}. */
    public static SchedulerConfig fromFile(Path file) {
        try {
            return fromJson(JSON.readTree(Files.readString(file)), file.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + file, e);
        }
    }

    /** A config given as a JSON object (e.g. a case of reference.json); {@code source} names it in errors. */
    public static SchedulerConfig fromJson(JsonNode node, String source) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("scheduler config " + source + " must be a JSON object, got "
                    + node.getNodeType());
        }
        Set<String> usedDefaults = new HashSet<>();
        node.path("_use_default_values").forEach(k -> usedDefaults.add(k.asText()));
        Map<String, Object> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // Private keys (_class_name, _diffusers_version, ...) are bookkeeping, not parameters.
            if (!e.getKey().startsWith("_") && !usedDefaults.contains(e.getKey())) {
                values.put(e.getKey(), plain(e.getValue()));
            }
        }
        return new SchedulerConfig(node.path("_class_name").asText(null), values);
    }

    /** A config of just these keys, as if written by no particular class. */
    public static SchedulerConfig of(Map<String, Object> values) {
        return new SchedulerConfig(null, values);
    }

    private static Object plain(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isArray()) {
            List<Object> list = new ArrayList<>();
            v.forEach(x -> list.add(plain(x)));
            return list;
        }
        return v.asText();
    }

    /**
     * This config as {@code targetClass} sees it: every key of {@code defaults} (the target's constructor
     * parameters), set from this config where it has the key, then from {@code overrides}. An override the target
     * does not know is an error; keys of this config the target does not know are ignored, as in diffusers.
     */
    public SchedulerConfig resolve(String targetClass, Map<String, Object> defaults, Map<String, Object> overrides) {
        Map<String, Object> resolved = new LinkedHashMap<>(defaults);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (resolved.containsKey(e.getKey())) {
                resolved.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            if (!resolved.containsKey(e.getKey())) {
                throw new IllegalArgumentException(targetClass + " has no parameter '" + e.getKey()
                        + "'; its parameters are " + defaults.keySet());
            }
            resolved.put(e.getKey(), e.getValue());
        }
        return new SchedulerConfig(targetClass, resolved);
    }

    public boolean isNull(String key) {
        return value(key) == null;
    }

    public int integer(String key) {
        Object v = value(key);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Math.toIntExact(n.longValue());
        }
        throw invalid(key, v, "an integer");
    }

    /** A real number; the strings "inf", "-inf", "Infinity", "-Infinity" and "nan" are accepted too. */
    public double number(String key) {
        Object v = value(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            switch (s.strip().toLowerCase()) {
                case "inf", "+inf", "infinity", "+infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-inf", "-infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                case "nan" -> {
                    return Double.NaN;
                }
                default -> {
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw invalid(key, v, "a number");
                    }
                }
            }
        }
        throw invalid(key, v, "a number");
    }

    public boolean flag(String key) {
        Object v = value(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw invalid(key, v, "true or false");
    }

    /** A string from {@code allowed}. */
    public String choice(String key, List<String> allowed) {
        Object v = value(key);
        if (v instanceof String s && allowed.contains(s)) {
            return s;
        }
        throw invalid(key, v, "one of " + allowed);
    }

    /** A list of numbers, or null when the key is null. */
    public double[] numbers(String key) {
        Object v = value(key);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> list) {
            double[] out = new double[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw invalid(key, v, "a list of numbers");
                }
                out[i] = n.doubleValue();
            }
            return out;
        }
        if (v instanceof double[] array) {
            return array.clone();
        }
        throw invalid(key, v, "a list of numbers");
    }

    private Object value(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException(owner() + " has no parameter '" + key + "'");
        }
        return values.get(key);
    }

    private IllegalArgumentException invalid(String key, Object v, String expected) {
        return new IllegalArgumentException(owner() + ": " + key + " must be " + expected + ", got "
                + (v instanceof String ? "'" + v + "'" : v));
    }

    private String owner() {
        return className != null ? className + " config" : "scheduler config";
    }

    /** An insertion-ordered map of alternating keys and values; values may be null (unlike Map.of). */
    static Map<String, Object> defaults(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
