package ai.booth.diffusion.testing;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads reference.json's text-to-image cases ({@code pipeline}, {@code pipeline_lora}) the way the engine and the
 * CLI take them: the sampler named at the start of the case's description, its effective scheduler config, the
 * initial latents as a file.
 */
public final class PipelineCase {

    /** "DDIM from ...", "DPM++ 2M Karras (DPMSolverMultistep, ...) from ...": the A1111 label before "(" or "from". */
    private static final Pattern SCHEDULER_LABEL = Pattern.compile("^\\s*(.+?)\\s*(?:\\(|\\bfrom\\b|$)");

    private PipelineCase() {
    }

    public static String schedulerLabel(JsonNode c) {
        Matcher m = SCHEDULER_LABEL.matcher(c.get("scheduler").asText());
        if (!m.find()) {
            throw new IllegalStateException("cannot read a scheduler name from '" + c.get("scheduler").asText() + "'");
        }
        return m.group(1);
    }

    /** The case's effective scheduler config (diffusers' from_config of the model's config, as the case ran it). */
    public static SchedulerConfig schedulerConfig(JsonNode c, String caseName) {
        return SchedulerConfig.fromJson(c.get("scheduler_config"), "reference.json " + caseName + ".scheduler_config");
    }

    /** Writes the case's initial latents to {@code file} as tensor "latents"; returns their shape's dims. */
    public static long[] writeInitialLatents(Reference ref, JsonNode c, Path file) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray latents = CaseTensors.load(ref, c.get("initial_latents").asText(), m);
            SafeTensors.write(file, Map.of("latents", latents), Map.of());
            return latents.getShape().getShape();
        }
    }

    /** A ControlNet case's {@code control_image}: a path relative to the fixture set, then a comment in parentheses. */
    public static Path controlImage(Reference ref, JsonNode c) {
        return ref.dir().getParent().resolve(c.get("control_image").asText().split(" \\(")[0].strip());
    }

    /** The name of the case's expected output tensor. */
    public static String output(JsonNode c) {
        return CaseTensors.name(c.get("output").asText());
    }
}
