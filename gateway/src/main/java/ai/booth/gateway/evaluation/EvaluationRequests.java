package ai.booth.gateway.evaluation;

import ai.booth.contracts.EvaluationRequested;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridAxis;
import ai.booth.diffusion.loader.EncoderCheck;
import ai.booth.gateway.dataset.DatasetRegistry;
import ai.booth.gateway.dataset.DatasetView;
import ai.booth.gateway.generation.GenerationRegistry;
import ai.booth.gateway.generation.GenerationView;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.job.CallbackPolicy;
import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.model.BaseModels;
import ai.booth.gateway.training.TrainingRegistry;
import ai.booth.gateway.training.TrainingView;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks an {@link EvaluationSpec} field by field and resolves it into an {@link EvaluationRequested}: the caller's
 * COMPLETED generations give the images and the prompt of each, a training (its dataset and subject tokens) or a
 * READY dataset gives the real images. Refused up front when no clip or dino encoder is installed, so nobody waits
 * for a sampler to say so.
 */
@ApplicationScoped
public class EvaluationRequests {

    /** Generations one evaluation scores together. */
    static final int MAX_GENERATIONS = 16;
    static final int MAX_TOKENS = 8;
    static final int MAX_TOKEN_LENGTH = 64;

    private final GenerationRegistry generations;
    private final TrainingRegistry trainings;
    private final DatasetRegistry datasets;
    private final BaseModels models;
    private final CallbackPolicy callbacks;

    public EvaluationRequests(GenerationRegistry generations, TrainingRegistry trainings, DatasetRegistry datasets,
                              BaseModels models, CallbackPolicy callbacks) {
        this.generations = generations;
        this.trainings = trainings;
        this.datasets = datasets;
        this.models = models;
        this.callbacks = callbacks;
    }

    EvaluationRequested build(EvaluationSpec spec, String evaluationId, String ownerId) {
        Checks checks = new Checks();
        if (spec == null) {
            checks.fail("body", "is required: a JSON EvaluationSpec");
            checks.done();
        }
        List<String> missing = models.missingEncoderRoles();
        if (!missing.isEmpty()) {
            checks.fail("body", "scoring " + EncoderCheck.missingMessage(missing));
        }
        List<EvaluationRequested.ScoredImage> images = images(checks, spec.generationIds(), ownerId);
        List<String> tokens = spec.tokens() == null ? List.of() : spec.tokens();
        List<String> real = List.of();
        if ((spec.trainingId() == null) == (spec.datasetId() == null)) {
            checks.fail("trainingId", "give a trainingId (its dataset and subject tokens) or a datasetId, one of them");
        } else if (spec.trainingId() != null) {
            Optional<TrainingView> training = trainings.find(spec.trainingId(), ownerId);
            if (training.isEmpty() || training.get().request() == null) {
                checks.fail("trainingId", "no training '" + spec.trainingId() + "'");
            } else {
                real = real(checks, "trainingId", training.get().request().datasetId(), ownerId);
                if (spec.tokens() == null) {
                    tokens = training.get().request().subjectTokens();
                }
            }
        } else {
            real = real(checks, "datasetId", spec.datasetId(), ownerId);
        }
        checks.size("tokens", tokens, MAX_TOKENS);
        for (int i = 0; i < tokens.size(); i++) {
            if (checks.required("tokens[" + i + "]", tokens.get(i))) {
                checks.length("tokens[" + i + "]", tokens.get(i), MAX_TOKEN_LENGTH);
            }
        }
        callbacks.check(checks, "callbackUrl", spec.callbackUrl());
        checks.done();
        return new EvaluationRequested(evaluationId, images, real, List.copyOf(tokens));
    }

    /** Every image of the named generations, each with the prompt it was rendered from. */
    private List<EvaluationRequested.ScoredImage> images(Checks checks, List<String> ids, String ownerId) {
        List<EvaluationRequested.ScoredImage> images = new ArrayList<>();
        if (ids == null || ids.isEmpty()) {
            checks.fail("generationIds", "is required: 1 to " + MAX_GENERATIONS + " of your COMPLETED generations");
            return images;
        }
        checks.size("generationIds", ids, MAX_GENERATIONS);
        for (int i = 0; i < ids.size(); i++) {
            String field = "generationIds[" + i + "]";
            String id = ids.get(i);
            if (!checks.required(field, id)) {
                continue;
            }
            Optional<GenerationView> generation = generations.find(id, ownerId);
            if (generation.isEmpty()) {
                checks.fail(field, "no generation '" + id + "'");
            } else if (generation.get().status() != JobStatus.COMPLETED || generation.get().request() == null) {
                checks.fail(field, "generation '" + id + "' is " + generation.get().status()
                        + "; only COMPLETED generations have images to score");
            } else {
                List<ImageLink> rendered = generation.get().images();
                for (int n = 0; n < rendered.size(); n++) {
                    images.add(new EvaluationRequested.ScoredImage(rendered.get(n).key(),
                            prompt(generation.get().request(), n)));
                }
            }
        }
        if (images.size() > EvaluationRequested.MAX_IMAGES) {
            checks.fail("generationIds", "name at most " + EvaluationRequested.MAX_IMAGES + " images in all, got "
                    + images.size());
        }
        return images;
    }

    /** The images of the caller's READY dataset. */
    private List<String> real(Checks checks, String field, String datasetId, String ownerId) {
        Optional<DatasetView> dataset = datasets.ready(checks, field, datasetId, ownerId,
                "the real images come from a READY dataset");
        if (dataset.isEmpty()) {
            return List.of();
        }
        List<String> keys = dataset.get().imageKeys();
        if (keys.isEmpty() || keys.size() > EvaluationRequested.MAX_IMAGES) {
            checks.fail(field, "dataset '" + datasetId + "' has " + keys.size() + " images; scoring takes 1 to "
                    + EvaluationRequested.MAX_IMAGES);
        }
        return keys;
    }

    /**
     * The prompt image {@code index} was rendered from: the request's, or a prompt axis's value for a grid's cell
     * (cells are row-major: x varies fastest).
     */
    public static String prompt(GenerationRequested request, int index) {
        String prompt = request.prompt();
        if (request.grid() == null) {
            return prompt;
        }
        GridAxis x = request.grid().x();
        GridAxis y = request.grid().y();
        int columns = x.values().size();
        if (x.parameter().equals("prompt")) {
            prompt = x.values().get(index % columns);
        }
        if (y != null && y.parameter().equals("prompt")) {
            prompt = y.values().get(index / columns);
        }
        return prompt;
    }
}
