package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.scheduler.Schedulers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's generation-parameters text ("infotext", the PNG {@code parameters} chunk), written and read as
 * A1111's {@code create_infotext} / {@code parse_generation_parameters} do:
 * <pre>
 * a photo of sks dog &lt;lora:rex:0.8&gt;
 * Negative prompt: blurry
 * Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 42, Size: 512x512, Model hash: 6ce0161689,
 * Model: v1-5-pruned-emaonly, Clip skip: 2, RNG: CPU, Lora hashes: "rex: 0123456789ab"
 * </pre>
 * (the last line is one line). Values holding {@code , : \n} are JSON-quoted. LoRAs are prompt tags in A1111's own
 * syntax: {@code <lora:name:m>} applies m to both networks, {@code <lora:name:te:unet>} gives the text encoder and the
 * UNet separate multipliers (A1111 reads positional multipliers in that order, and {@code te=}/{@code unet=} named
 * ones). Hashes are A1111's: the model's first 10 hex digits of SHA-256, a LoRA's first 12 of the SHA-256 of its
 * tensor data (kohya's "addnet" hash). {@code RNG: CPU} says the noise is torch's CPU generator, which is what Booth
 * draws. A non-default scheduler configuration goes into Booth's own {@code Scheduler overrides} field.
 */
public final class Infotext {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A1111's re_param: {@code key: value} pairs, values optionally JSON-quoted. */
    private static final Pattern PARAM = Pattern.compile("\\s*(\\w[\\w \\-/]+):\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)");
    /** A1111's extra-network tags: {@code <lora:name:...>}, also the older {@code <lyco:...>}. */
    private static final Pattern LORA_TAG = Pattern.compile("<(?:lora|lyco):([^>]+)>");
    private static final Pattern SIZE = Pattern.compile("^(\\d+)x(\\d+)$");
    private static final String NEGATIVE = "Negative prompt:";

    private Infotext() {
    }

    /**
     * The text for one image: {@code params} with its final size and seed, the model's name and full content hash,
     * and each LoRA's hash by name.
     */
    public static String format(GenerationParams params, String modelName, String modelHash,
                                Map<String, String> loraHashes) {
        return format(params, modelName, modelHash, loraHashes, Map.of(), Map.of());
    }

    /**
     * The same with each ControlNet's short hash by name (A1111's {@code ControlNet N} fields) and A1111's
     * {@code TI hashes} field: each textual-inversion embedding the prompts use, by name, with its short hash.
     */
    public static String format(GenerationParams params, String modelName, String modelHash,
                                Map<String, String> loraHashes, Map<String, String> controlNetHashes,
                                Map<String, String> tiHashes) {
        StringBuilder prompt = new StringBuilder(params.prompt());
        for (LoraRequest l : params.loras()) {
            prompt.append(prompt.isEmpty() ? "" : " ").append("<lora:").append(l.name()).append(':')
                    .append(l.unetScale() == l.textEncoderScale() ? number(l.unetScale())
                            : number(l.textEncoderScale()) + ":" + number(l.unetScale()))
                    .append('>');
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Steps", params.steps());
        fields.put("Sampler", samplerLabel(params.scheduler()));
        fields.put("CFG scale", number(params.guidanceScale()));
        fields.put("Seed", params.seed());
        fields.put("Size", params.width() + "x" + params.height());
        fields.put("Model hash", modelHash == null ? null : modelHash.substring(0, Math.min(10, modelHash.length())));
        fields.put("Model", modelName);
        fields.put("Clip skip", params.clipSkip() > 1 ? params.clipSkip() : null);
        fields.put("DeepCache", params.deepCache() > 1 ? params.deepCache() : null);
        fields.put("ToMe", params.tokenMerging() > 0 ? number(params.tokenMerging()) : null);
        fields.put("RNG", "CPU");
        fields.put("Scheduler overrides", params.schedulerOverrides().isEmpty() ? null : json(params.schedulerOverrides()));
        List<String> hashes = new ArrayList<>();
        for (LoraRequest l : params.loras()) {
            String hash = loraHashes.get(l.name());
            if (hash != null) {
                hashes.add(l.name().replace(":", "").replace(",", "") + ": " + hash);
            }
        }
        fields.put("Lora hashes", hashes.isEmpty() ? null : String.join(", ", hashes));
        for (int i = 0; i < params.controlNets().size(); i++) {
            fields.put("ControlNet " + i, controlNet(params.controlNets().get(i), controlNetHashes));
        }
        List<String> ti = new ArrayList<>();
        tiHashes.forEach((name, hash) -> ti.add(name.replace(":", "").replace(",", "") + ": " + hash));
        fields.put("TI hashes", ti.isEmpty() ? null : String.join(", ", ti));
        StringBuilder last = new StringBuilder();
        fields.forEach((k, v) -> {
            if (v != null) {
                last.append(last.isEmpty() ? "" : ", ").append(k).append(": ").append(quote(v.toString()));
            }
        });
        String negative = params.negativePrompt().isEmpty() ? "" : "\n" + NEGATIVE + " " + params.negativePrompt();
        return (prompt + negative + "\n" + last).strip();
    }

    /**
     * sd-webui-controlnet's unit text: {@code Module: canny, Model: NAME [hash], Weight: S, Guidance Start: A,
     * Guidance End: B}; Booth adds {@code Guess Mode: True} (diffusers' guess mode, which A1111 does not have).
     */
    private static String controlNet(ControlNetRequest r, Map<String, String> hashes) {
        String hash = hashes.get(r.name());
        return "Module: " + r.module() + ", Model: " + r.name() + (hash == null ? "" : " [" + hash + "]")
                + ", Weight: " + number(r.scale()) + ", Guidance Start: " + number(r.start())
                + ", Guidance End: " + number(r.end()) + (r.guessMode() ? ", Guess Mode: True" : "");
    }

    private static final Pattern CONTROL_NET = Pattern.compile("^ControlNet (\\d+)$");
    private static final Pattern MODEL_HASH = Pattern.compile("^(.*?)\\s*(\\[[0-9a-fA-F]+])?$");

    /** The units of {@code ControlNet N} fields in N order; images are left to the caller (A1111 stores none). */
    private static List<ControlNetRequest> controlNets(Map<String, String> fields, Function<String, Path> files) {
        Map<Integer, ControlNetRequest> units = new java.util.TreeMap<>();
        fields.forEach((key, value) -> {
            Matcher m = CONTROL_NET.matcher(key);
            if (m.matches()) {
                Map<String, String> f = parseFields(value);
                String where = "infotext " + key;
                Matcher model = MODEL_HASH.matcher(f.getOrDefault("Model", ""));
                if (!model.matches() || model.group(1).isBlank()) {
                    throw new IllegalArgumentException(where + " names no model");
                }
                units.put(Integer.parseInt(m.group(1)), new ControlNetRequest(files.apply(model.group(1)), null,
                        f.getOrDefault("Module", "none"), decimal(where, f.getOrDefault("Weight", "1")),
                        decimal(where, f.getOrDefault("Guidance Start", "0")),
                        decimal(where, f.getOrDefault("Guidance End", "1")),
                        Boolean.parseBoolean(f.getOrDefault("Guess Mode", "False").toLowerCase())));
            }
        });
        return new ArrayList<>(units.values());
    }

    /** {@code text} with more {@code key: value} fields at the end of its parameters line. */
    public static String appendFields(String text, Map<String, String> more) {
        StringBuilder out = new StringBuilder(text.strip());
        boolean hasFields = !fields(text).isEmpty();
        for (Map.Entry<String, String> e : more.entrySet()) {
            out.append(hasFields ? ", " : "\n").append(e.getKey()).append(": ").append(quote(e.getValue()));
            hasFields = true;
        }
        return out.toString();
    }

    /** The {@code key: value} fields of the last line (quoted values unquoted), in order; empty if there are none. */
    public static Map<String, String> fields(String text) {
        String[] lines = text.strip().split("\n", -1);
        Map<String, String> fields = parseFields(lines[lines.length - 1]);
        return fields.size() < 3 ? Map.of() : fields;
    }

    /** The request an infotext describes; LoRA names are turned into files by {@code loraFiles}. */
    public static GenerationParams parse(String text, Function<String, Path> loraFiles) {
        return parse(text, loraFiles, name -> Path.of(name + ".safetensors"));
    }

    /** The same, ControlNet names turned into files (or folders) by {@code controlNetFiles}. */
    public static GenerationParams parse(String text, Function<String, Path> loraFiles,
                                         Function<String, Path> controlNetFiles) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("infotext is empty");
        }
        List<String> lines = new ArrayList<>(List.of(text.strip().split("\n", -1)));
        Map<String, String> fields = parseFields(lines.get(lines.size() - 1));
        if (fields.size() >= 3) {
            lines.remove(lines.size() - 1);
        } else {
            fields = Map.of();
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = null;
        for (String raw : lines) {
            String line = raw.strip();
            if (negative == null && line.startsWith(NEGATIVE)) {
                negative = new StringBuilder(line.substring(NEGATIVE.length()).strip());
            } else if (negative != null) {
                negative.append('\n').append(line);
            } else {
                prompt.append(prompt.isEmpty() ? "" : "\n").append(line);
            }
        }
        List<LoraRequest> loras = new ArrayList<>();
        Matcher tag = LORA_TAG.matcher(prompt);
        while (tag.find()) {
            loras.add(loraTag(tag.group(1), loraFiles));
        }
        GenerationParams.Builder b = GenerationParams.builder(LORA_TAG.matcher(prompt).replaceAll("").strip())
                .negativePrompt(negative == null ? "" : negative.toString()).loras(loras);
        Map<String, String> f = fields;
        ifPresent(f, "Steps", v -> b.steps(integer("Steps", v)));
        ifPresent(f, "CFG scale", v -> b.guidanceScale(decimal("CFG scale", v)));
        ifPresent(f, "Seed", v -> b.seed(Long.parseLong(integerText("Seed", v))));
        ifPresent(f, "Clip skip", v -> b.clipSkip(integer("Clip skip", v)));
        ifPresent(f, "DeepCache", v -> b.deepCache(integer("DeepCache", v)));
        ifPresent(f, "ToMe", v -> b.tokenMerging(decimal("ToMe", v)));
        ifPresent(f, "Size", v -> {
            Matcher m = SIZE.matcher(v);
            if (!m.matches()) {
                throw new IllegalArgumentException("infotext Size must be WIDTHxHEIGHT, got '" + v + "'");
            }
            b.size(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        });
        ifPresent(f, "Sampler", v -> b.scheduler(sampler(v, f.get("Schedule type"))));
        ifPresent(f, "Scheduler overrides", v -> b.schedulerOverrides(overrides(v)));
        b.controlNets(controlNets(f, controlNetFiles));
        return b.build();
    }

    private static Map<String, String> parseFields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(line);
        while (m.find()) {
            String v = m.group(2).strip();
            fields.put(m.group(1).strip(), v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? unquote(v) : v);
        }
        return fields;
    }

    /** A1111: {@code name[:te[:unet]]} with {@code te=}, {@code unet=} named overrides; one multiplier sets both. */
    private static LoraRequest loraTag(String body, Function<String, Path> loraFiles) {
        String[] items = body.split(":");
        List<String> positional = new ArrayList<>();
        Map<String, String> named = new LinkedHashMap<>();
        for (String item : items) {
            String[] kv = item.split("=", 2);
            if (kv.length == 2) {
                named.put(kv[0].strip(), kv[1].strip());
            } else {
                positional.add(item.strip());
            }
        }
        String where = "infotext <lora:" + body + ">";
        float te = positional.size() > 1 ? (float) decimal(where, positional.get(1)) : 1f;
        te = named.containsKey("te") ? (float) decimal(where, named.get("te")) : te;
        float unet = positional.size() > 2 ? (float) decimal(where, positional.get(2)) : te;
        unet = named.containsKey("unet") ? (float) decimal(where, named.get("unet")) : unet;
        if (positional.isEmpty() || positional.get(0).isEmpty()) {
            throw new IllegalArgumentException(where + " names no LoRA");
        }
        return new LoraRequest(loraFiles.apply(positional.get(0)), unet, te);
    }

    /** "DPM++ 2M Karras", or newer A1111's "DPM++ 2M" with "Schedule type: Karras". */
    private static String sampler(String label, String scheduleType) {
        if (scheduleType == null || scheduleType.equalsIgnoreCase("Automatic")
                || label.toLowerCase().endsWith(scheduleType.toLowerCase())) {
            return label;
        }
        String combined = label + " " + scheduleType;
        try {
            return Schedulers.canonicalName(combined);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("infotext sampler '" + label + "' with schedule type '" + scheduleType
                    + "' is not supported: " + e.getMessage(), e);
        }
    }

    static String samplerLabel(String scheduler) {
        try {
            return Schedulers.a1111Label(scheduler);
        } catch (IllegalArgumentException noLabel) {
            return Schedulers.canonicalName(scheduler);
        }
    }

    private static Map<String, Object> overrides(String v) {
        try {
            return JSON.readValue(v, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("infotext Scheduler overrides must be a JSON object, got '" + v + "'");
        }
    }

    private static void ifPresent(Map<String, String> fields, String key, java.util.function.Consumer<String> use) {
        String v = fields.get(key);
        if (v != null) {
            use.accept(v);
        }
    }

    private static int integer(String key, String v) {
        return Math.toIntExact(Long.parseLong(integerText(key, v)));
    }

    private static String integerText(String key, String v) {
        if (!v.matches("-?\\d+")) {
            throw new IllegalArgumentException("infotext " + key + " must be an integer, got '" + v + "'");
        }
        return v;
    }

    private static double decimal(String key, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
        }
    }

    /** Shortest plain decimal: 7.5, 7, 0.7 (floats by their float value, so 0.7f is "0.7"). */
    static String number(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    static String number(float v) {
        return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** A1111's quote(): JSON-quote values that hold a comma, a colon or a newline. */
    private static String quote(String v) {
        return v.contains(",") || v.contains(":") || v.contains("\n") ? json(v) : v;
    }

    private static String unquote(String v) {
        try {
            return JSON.readValue(v, String.class);
        } catch (JsonProcessingException e) {
            return v;
        }
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
