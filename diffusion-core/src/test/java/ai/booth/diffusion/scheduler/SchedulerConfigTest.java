package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.testing.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerConfigTest {

    private static final List<String> CLASSES = List.of("DDIMScheduler", "PNDMScheduler", "EulerDiscreteScheduler",
            "EulerAncestralDiscreteScheduler", "DPMSolverMultistepScheduler", "DDPMScheduler");

    /**
     * The pipeline cases record the effective config diffusers built for their sampler, with the keys that took the
     * class's defaults in {@code _use_default_values}. Read as a SchedulerConfig those keys are dropped, so
     * resolving it for the same class must restore every one of them from Booth's default tables: this checks the
     * tables against diffusers', and the carrying over of everything else.
     */
    @Test
    void restoresTheRecordedEffectiveConfigsWithDiffusersDefaults() {
        Reference ref = Reference.load();
        int checked = 0;
        for (String caseName : List.of("pipeline", "pipeline_lora")) {
            JsonNode expected = ref.testCase(caseName).get("scheduler_config");
            String target = targetClass(expected);
            SchedulerConfig recorded = SchedulerConfig.fromJson(expected, caseName + ".scheduler_config");
            SchedulerConfig resolved = Schedulers.create(target, recorded, Map.of()).config();
            for (String key : resolved.values().keySet()) {
                if (key.equals("eta")) {
                    continue;   // Booth's DDIM parameter (a step argument in diffusers)
                }
                JsonNode want = expected.get(key);
                Object got = resolved.values().get(key);
                if (want.isNull()) {
                    assertEquals(null, got, caseName + " " + target + "." + key);
                } else if (want.isBoolean()) {
                    assertEquals(want.asBoolean(), resolved.flag(key), caseName + " " + target + "." + key);
                } else if (want.isTextual() && !want.asText().contains("inf")) {
                    assertEquals(want.asText(), got, caseName + " " + target + "." + key);
                } else {
                    double w = want.isTextual() ? SchedulerConfig.of(Map.of("v", want.asText())).number("v")
                            : want.asDouble();
                    assertEquals(w, resolved.number(key), 0, caseName + " " + target + "." + key);
                }
                checked++;
            }
        }
        assertTrue(checked > 20, "compared " + checked + " parameters");
    }

    /** The class whose parameters the recorded effective config covers, the most specific one. */
    private static String targetClass(JsonNode effective) {
        Set<String> keys = new HashSet<>();
        effective.fieldNames().forEachRemaining(keys::add);
        String best = null;
        int bestSize = -1;
        for (String cls : CLASSES) {
            Set<String> params = new HashSet<>(Schedulers.create(cls, SchedulerConfig.of(Map.of()), Map.of())
                    .config().values().keySet());
            params.remove("eta");
            if (keys.containsAll(params) && params.size() > bestSize) {
                best = cls;
                bestSize = params.size();
            }
        }
        assertTrue(best != null, "no scheduler class matches " + keys);
        return best;
    }

    @Test
    void useDefaultValuesDoNotCarryOver() {
        JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(Map.of(
                "_class_name", "PNDMScheduler", "timestep_spacing", "leading", "steps_offset", 1,
                "_use_default_values", List.of("timestep_spacing")));
        SchedulerConfig config = SchedulerConfig.fromJson(node, "test");
        assertEquals("PNDMScheduler", config.className());
        assertEquals(Set.of("steps_offset"), config.values().keySet());
        Scheduler euler = Schedulers.create("euler", config, Map.of());
        assertEquals("linspace", euler.config().values().get("timestep_spacing"));
        assertEquals(1, euler.config().integer("steps_offset"));
    }

    @Test
    void overridesWinAndUnknownOnesAreNamed() {
        Scheduler ddim = Schedulers.create("DDIM", SchedulerConfig.of(Map.of("clip_sample", true)),
                Map.of("clip_sample", false, "steps_offset", 1));
        assertEquals(false, ddim.config().flag("clip_sample"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create("ddim", SchedulerConfig.of(Map.of()), Map.of("use_karras_sigmas", true)));
        assertTrue(e.getMessage().contains("use_karras_sigmas") && e.getMessage().contains("DDIMScheduler"),
                e.getMessage());
    }

    @Test
    void badValuesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedulers.create("euler",
                SchedulerConfig.of(Map.of("timestep_spacing", "evenly")), Map.of()).setTimesteps(10));
        assertTrue(e.getMessage().contains("timestep_spacing") && e.getMessage().contains("evenly"), e.getMessage());
        IllegalArgumentException beta = assertThrows(IllegalArgumentException.class, () -> Schedulers.create("ddim",
                SchedulerConfig.of(Map.of("beta_schedule", "quadratic")), Map.of()));
        assertTrue(beta.getMessage().contains("beta_schedule"), beta.getMessage());
    }

    @Test
    void namesLabelsAndClassNames() {
        assertEquals(List.of("ddim", "pndm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras", "ddpm"),
                Schedulers.names());
        List<String> labels = new ArrayList<>();
        for (String name : List.of("ddim", "pndm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras")) {
            String label = Schedulers.a1111Label(name);
            labels.add(label);
            assertEquals(name, Schedulers.canonicalName(label));
        }
        assertEquals(List.of("DDIM", "PLMS", "Euler", "Euler a", "DPM++ 2M", "DPM++ 2M Karras"), labels);
        assertEquals("euler_a", Schedulers.canonicalName("EulerAncestralDiscreteScheduler"));
        assertTrue(Schedulers.create("dpmpp_2m_karras", SchedulerConfig.of(Map.of()), Map.of())
                .config().flag("use_karras_sigmas"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create("lms", SchedulerConfig.of(Map.of()), Map.of()));
        assertTrue(e.getMessage().contains("lms") && e.getMessage().contains("dpmpp_2m_karras")
                && e.getMessage().contains("Euler a"), e.getMessage());
    }

    @Test
    void fromConfigBuildsTheNamedClass() {
        Reference ref = Reference.load();
        SchedulerConfig modelConfig = SchedulerConfig.fromFile(ref.modelDir().resolve("scheduler/scheduler_config.json"));
        Scheduler own = Schedulers.fromConfig(modelConfig);
        assertEquals(modelConfig.className(), own.getClass().getSimpleName());
    }
}
