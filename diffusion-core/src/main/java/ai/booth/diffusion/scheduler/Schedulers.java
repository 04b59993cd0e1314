package ai.booth.diffusion.scheduler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds schedulers by their Booth names, AUTOMATIC1111 labels or diffusers class names. A name fixes what makes
 * the sampler what it is (e.g. dpmpp_2m_karras = DPM-Solver++, order 2, Karras sigmas); everything else comes from
 * the model's scheduler config as diffusers' {@code from_config} reads it, then from the caller's overrides.
 *
 * <table>
 *   <caption>Names</caption>
 *   <tr><th>name</th><th>A1111 label</th><th>diffusers class</th><th>fixed by the name</th></tr>
 *   <tr><td>ddim</td><td>DDIM</td><td>DDIMScheduler</td><td></td></tr>
 *   <tr><td>pndm</td><td>PLMS</td><td>PNDMScheduler</td><td>skip_prk_steps: true</td></tr>
 *   <tr><td>euler</td><td>Euler</td><td>EulerDiscreteScheduler</td><td>use_karras_sigmas: false</td></tr>
 *   <tr><td>euler_a</td><td>Euler a</td><td>EulerAncestralDiscreteScheduler</td><td></td></tr>
 *   <tr><td>dpmpp_2m</td><td>DPM++ 2M</td><td>DPMSolverMultistepScheduler</td>
 *       <td>algorithm_type: dpmsolver++, solver_order: 2, use_karras_sigmas: false</td></tr>
 *   <tr><td>dpmpp_2m_karras</td><td>DPM++ 2M Karras</td><td>DPMSolverMultistepScheduler</td>
 *       <td>algorithm_type: dpmsolver++, solver_order: 2, use_karras_sigmas: true</td></tr>
 *   <tr><td>ddpm</td><td></td><td>DDPMScheduler</td><td></td></tr>
 * </table>
 * A diffusers class name fixes nothing: the config decides, as when a pipeline loads a model's own scheduler.
 */
public final class Schedulers {

    private record Kind(String name, String label, String className, Map<String, Object> defaults,
                        Map<String, Object> fixed, Function<SchedulerConfig, Scheduler> constructor) { }

    private static final List<Kind> KINDS = List.of(
            new Kind("ddim", "DDIM", "DDIMScheduler", DDIMScheduler.DEFAULTS, Map.of(), DDIMScheduler::new),
            new Kind("pndm", "PLMS", "PNDMScheduler", PNDMScheduler.DEFAULTS, Map.of("skip_prk_steps", true),
                    PNDMScheduler::new),
            new Kind("euler", "Euler", "EulerDiscreteScheduler", EulerDiscreteScheduler.DEFAULTS,
                    Map.of("use_karras_sigmas", false), EulerDiscreteScheduler::new),
            new Kind("euler_a", "Euler a", "EulerAncestralDiscreteScheduler",
                    EulerAncestralDiscreteScheduler.DEFAULTS, Map.of(), EulerAncestralDiscreteScheduler::new),
            new Kind("dpmpp_2m", "DPM++ 2M", "DPMSolverMultistepScheduler", DPMSolverMultistepScheduler.DEFAULTS,
                    Map.of("algorithm_type", "dpmsolver++", "solver_order", 2, "use_karras_sigmas", false),
                    DPMSolverMultistepScheduler::new),
            new Kind("dpmpp_2m_karras", "DPM++ 2M Karras", "DPMSolverMultistepScheduler",
                    DPMSolverMultistepScheduler.DEFAULTS,
                    Map.of("algorithm_type", "dpmsolver++", "solver_order", 2, "use_karras_sigmas", true),
                    DPMSolverMultistepScheduler::new),
            new Kind("ddpm", null, "DDPMScheduler", DDPMScheduler.DEFAULTS, Map.of(), DDPMScheduler::new));

    private Schedulers() {
    }

    /** The Booth names, in the order of the table above. */
    public static List<String> names() {
        return KINDS.stream().map(Kind::name).toList();
    }

    /**
     * A scheduler called {@code name} (Booth name or A1111 label, any case; or a diffusers class name), configured
     * from {@code base} (typically the model's scheduler_config.json) and {@code overrides}.
     */
    public static Scheduler create(String name, SchedulerConfig base, Map<String, Object> overrides) {
        Kind byClass = byClassName(name);
        Kind kind = byClass != null ? byClass : byName(name);
        Map<String, Object> settings = new LinkedHashMap<>(byClass != null ? Map.of() : kind.fixed());
        settings.putAll(overrides);
        return kind.constructor().apply(base.resolve(kind.className(), kind.defaults(), settings));
    }

    /** The scheduler the config itself names ({@code _class_name}), as diffusers loads a model's scheduler. */
    public static Scheduler fromConfig(SchedulerConfig config) {
        if (config.className() == null) {
            throw new IllegalArgumentException("scheduler config names no _class_name; use create(name, ...)");
        }
        return create(config.className(), config, Map.of());
    }

    /** The Booth name for a name, label or class name, e.g. "Euler a" → "euler_a". */
    public static String canonicalName(String name) {
        Kind byClass = byClassName(name);
        return byClass != null ? byClass.name() : byName(name).name();
    }

    /** The AUTOMATIC1111 sampler label written into PNG "parameters", e.g. "dpmpp_2m_karras" → "DPM++ 2M Karras". */
    public static String a1111Label(String name) {
        Kind kind = byName(name);
        if (kind.label() == null) {
            throw new IllegalArgumentException("scheduler '" + kind.name() + "' has no AUTOMATIC1111 label");
        }
        return kind.label();
    }

    private static Kind byName(String name) {
        String key = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (Kind kind : KINDS) {
            if (kind.name().equals(key) || (kind.label() != null && kind.label().toLowerCase(Locale.ROOT).equals(key))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown scheduler '" + name + "'; valid names: " + names()
                + ", A1111 labels: " + KINDS.stream().map(Kind::label).filter(l -> l != null).toList());
    }

    private static Kind byClassName(String name) {
        for (Kind kind : KINDS) {
            if (kind.className().equals(name)) {
                return kind;
            }
        }
        return null;
    }
}
