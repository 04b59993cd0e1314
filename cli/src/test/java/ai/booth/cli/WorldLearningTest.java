package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DreamBooth's promise, asserted on the committed world model ({@code models/booth-world}) with its scorer: a LoRA
 * with prior preservation on five photos of the zigzag star puts the subject into new scenes (subject fidelity to
 * photos training never saw, above the base model's and above the same LoRA trained on the model's own stars), the
 * class prompt still gives ordinary stars, and without prior preservation the class prompt drifts to the subject.
 * The demo's recipe ({@code ./booth world report}'s main rows) at fewer steps, so CI runs it in a few minutes.
 * <p>
 * Margins: to be set to about half the gaps measured on the shipped model at these settings (so a run on another CPU
 * passes and a model that learns nothing does not). No world model meets its gates yet (issue "Booth world"), so
 * none is committed and this test is skipped; the figures below are placeholders until it is.
 */
class WorldLearningTest {

    private static final SubjectStudy.Training RECIPE = new SubjectStudy.Training(5, 200, 4, 5e-4, 16, false);
    private static final WorldReport.Sampling SAMPLING = new WorldReport.Sampling("dpmpp_2m_karras", 20, 5);

    private static final double FIDELITY_OVER_BASE = 0.10;
    private static final double FIDELITY_OVER_OWN_STARS = 0.05;
    private static final double STARS_KEPT = 0.25;
    private static final double DRIFT_WITHOUT_PRIOR = 0.02;

    @TempDir
    Path tmp;

    @Test
    void aLoraOnFivePhotosLearnsTheSubjectAndKeepsTheClassPriorThatWithoutPriorPreservationDrifts() {
        Path model = CliHome.dir().resolve("models/booth-world");
        Path scorer = CliHome.dir().resolve("models/booth-world-scorer");
        Assumptions.assumeTrue(Files.isRegularFile(model.resolve("model_index.json")) && Files.isRegularFile(
                scorer.resolve("config.json")), "no world model and scorer committed under models/ yet");
        SubjectStudy.Result r;
        try (StableDiffusionModel sd = DiffusersFolderLoader.load(model, EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(sd);
             EvalEncoders encoders = EvalEncoders.load(scorer, scorer, EngineOptions.defaults())) {
            r = new SubjectStudy(SAMPLING, 0, RECIPE).run(sd, pipeline, encoders, tmp);
        }
        String figures = SubjectStudy.markdown(r);
        System.out.println(figures);   // the figures the margins were set from, in every run's log

        assertTrue(r.lora().clipI() > r.base().clipI() + FIDELITY_OVER_BASE, "CLIP-I up from the base\n" + figures);
        assertTrue(r.lora().dino() > r.base().dino() + FIDELITY_OVER_BASE, "DINO slot up from the base\n" + figures);
        assertTrue(r.lora().clipI() > r.ownStars().clipI() + FIDELITY_OVER_OWN_STARS,
                "the subject's photos, not any stars, make the fidelity\n" + figures);
        assertTrue(r.lora().classStars() > r.base().classStars() - STARS_KEPT && r.lora().classStars() > 0.5,
                "the class prompt still gives stars\n" + figures);
        assertTrue(r.noPrior().classLikeness() > r.lora().classLikeness() + DRIFT_WITHOUT_PRIOR,
                "without prior preservation the class prompt drifts to the subject\n" + figures);
    }
}
