package ai.booth.diffusion.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Groups a LoRA file's tensor names into modules: which tensors hold the down and up factors (and alpha) of which
 * module. Kohya names keep their underscores here; {@link LoraAdapter} resolves them against a model, because
 * {@code to_out_0} cannot be told from {@code to.out.0} without knowing the model's module paths.
 */
final class LoraKeys {

    /** One module as the file names it. {@code name} is a dotted path (PEFT) or the underscored kohya name. */
    record Entry(LoraComponent component, String name, String downKey, String upKey, String alphaKey) { }

    /** PEFT / diffusers spellings of the factor tensors: down suffix, up suffix. */
    private static final String[][] PEFT_SUFFIXES = {
        {".lora_A.weight", ".lora_B.weight"},
        {".lora_linear_layer.down.weight", ".lora_linear_layer.up.weight"},
        {".lora.down.weight", ".lora.up.weight"},
    };
    /** diffusers ≤ 0.20 attention processors: {@code <attn>.processor.to_q_lora.down.weight}. */
    private static final Pattern PROCESSOR = Pattern.compile("^(.*)\\.processor\\.(to_q|to_k|to_v|to_out)_lora\\.down\\.weight$");
    private static final String KOHYA_DOWN = ".lora_down.weight";

    private LoraKeys() {
    }

    static List<Entry> parse(Set<String> names, LoraLayout layout) {
        List<Entry> entries = new ArrayList<>();
        List<String> stray = new ArrayList<>();
        for (String key : names) {
            Entry e = layout == LoraLayout.KOHYA ? kohya(key) : peft(key);
            if (e != null) {
                if (!names.contains(e.upKey)) {
                    throw new IllegalArgumentException("tensor '" + key + "' has no matching '" + e.upKey + "'");
                }
                entries.add(e.alphaKey != null && !names.contains(e.alphaKey)
                        ? new Entry(e.component, e.name, e.downKey, e.upKey, null) : e);
            }
        }
        Set<String> used = new java.util.HashSet<>();
        entries.forEach(e -> {
            used.add(e.downKey);
            used.add(e.upKey);
            if (e.alphaKey != null) {
                used.add(e.alphaKey);
            }
        });
        for (String key : names) {
            if (!used.contains(key)) {
                stray.add(key);
            }
        }
        if (!stray.isEmpty()) {
            throw new IllegalArgumentException("tensors that belong to no LoRA module (unsupported adapter type, "
                    + "e.g. LoHa/LoKr/DoRA?): " + abbreviate(stray));
        }
        return entries;
    }

    private static Entry kohya(String key) {
        if (!key.endsWith(KOHYA_DOWN)) {
            return null;
        }
        String module = key.substring(0, key.length() - KOHYA_DOWN.length());
        for (LoraComponent c : LoraComponent.values()) {
            if (module.startsWith(c.kohyaPrefix())) {
                return new Entry(c, module.substring(c.kohyaPrefix().length()), key, module + ".lora_up.weight",
                        module + ".alpha");
            }
        }
        throw new IllegalArgumentException("kohya module '" + module + "' is neither lora_unet_* nor lora_te_* "
                + "(SDXL's lora_te1_/lora_te2_ adapters are not for SD-1/2 models)");
    }

    private static Entry peft(String key) {
        Matcher proc = PROCESSOR.matcher(key);
        if (proc.matches()) {
            String up = key.substring(0, key.length() - "down.weight".length()) + "up.weight";
            String projection = proc.group(2).equals("to_out") ? "to_out.0" : proc.group(2);
            String module = key.substring(0, key.length() - ".down.weight".length());
            return component(proc.group(1) + "." + projection, key, up, module + ".alpha");
        }
        for (String[] s : PEFT_SUFFIXES) {
            if (key.endsWith(s[0])) {
                String module = key.substring(0, key.length() - s[0].length());
                return component(module, key, module + s[1], module + ".alpha");
            }
        }
        return null;
    }

    /** Splits the component prefix off a PEFT module name; names without one are UNet attention processors. */
    private static Entry component(String module, String downKey, String upKey, String alphaKey) {
        String m = module.startsWith("base_model.model.") ? module.substring("base_model.model.".length()) : module;
        for (LoraComponent c : LoraComponent.values()) {
            if (m.startsWith(c.peftPrefix() + ".")) {
                return new Entry(c, m.substring(c.peftPrefix().length() + 1), downKey, upKey, alphaKey);
            }
        }
        return new Entry(LoraComponent.UNET, m, downKey, upKey, alphaKey);
    }

    static String abbreviate(List<String> items) {
        int shown = Math.min(items.size(), 8);
        return String.join(", ", items.subList(0, shown)) + (items.size() > shown ? " … (" + items.size() + " in all)" : "");
    }

    /** Map from a kohya underscored name to the module path it stands for, for every path of a model. */
    static Map<String, String> kohyaIndex(Iterable<String> paths) {
        Map<String, String> index = new LinkedHashMap<>();
        for (String p : paths) {
            index.put(p.replace('.', '_'), p);
        }
        return index;
    }
}
