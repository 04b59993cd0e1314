package ai.booth.gateway.experiment;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The ids of an experiment's follow-up jobs, derived from what they follow: whichever gateway replica publishes a
 * variant's render or an evaluation, and however often, it is the same job (the workers answer a known id from its
 * stored result), and the experiment finds its jobs without storing their ids.
 */
final class ExperimentIds {

    private ExperimentIds() {
    }

    /** The render of a variant's training. */
    static String render(String experimentId, String trainingId) {
        return derived(experimentId, "render/" + trainingId);
    }

    /** The evaluation of one of the experiment's renders. */
    static String evaluation(String experimentId, String generationId) {
        return derived(experimentId, "evaluation/" + generationId);
    }

    private static String derived(String experimentId, String part) {
        return UUID.nameUUIDFromBytes(("booth/experiment/" + experimentId + "/" + part)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
