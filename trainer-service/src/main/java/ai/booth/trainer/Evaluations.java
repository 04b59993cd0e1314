package ai.booth.trainer;

import ai.booth.contracts.TrainingRequested;
import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.loader.EncoderCheck;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.models.EngineConfig;
import ai.booth.service.models.ModelCache;
import ai.booth.service.models.ModelCacheException;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides whether a training evaluates and opens its {@link Evaluation}: with validation prompts and the installed
 * encoders (one {@code clip} and one {@code dino}, {@link ModelRegistry#encoders}) unless the request says
 * {@code evaluate: false}; a request that asks for it (or for a {@code selectBy}) without the encoders fails with
 * {@value #UNAVAILABLE}, naming what is missing.
 */
@ApplicationScoped
public class Evaluations {

    static final String UNAVAILABLE = "ENCODERS_NOT_INSTALLED";

    private final ModelRegistry registry;
    private final ModelCache cache;
    private final EngineConfig engine;

    public Evaluations(ModelRegistry registry, ModelCache cache, EngineConfig engine) {
        this.registry = registry;
        this.cache = cache;
        this.engine = engine;
    }

    /**
     * The job's evaluation against the subject's images in the folder {@code realImages} gives (called only when the
     * job evaluates); empty when it does not.
     * Encoders run in float32 on the engine's device: scores are comparable across nodes.
     */
    Optional<Evaluation> open(TrainingRequested request, Supplier<Path> realImages) {
        if (Boolean.FALSE.equals(request.evaluate())) {
            return Optional.empty();
        }
        if (!request.validates()) { // asking for it without validation is refused by TrainingRequestCheck
            return Optional.empty();
        }
        boolean asked = Boolean.TRUE.equals(request.evaluate()) || request.selectBy() != null;
        Map<String, ModelManifest> encoders = registry.encoders();
        List<String> missing = EncoderCheck.ROLES.stream()
                .filter(role -> !encoders.containsKey(role)).toList();
        if (!missing.isEmpty()) {
            if (asked) {
                throw new JobFailure(UNAVAILABLE, "evaluate needs a " + String.join(" and a ", missing)
                        + " encoder installed (models of type encoder: a transformers CLIPModel folder such as"
                        + " openai/clip-vit-large-patch14 and a ViTModel folder such as facebook/dino-vits16)");
            }
            return Optional.empty();
        }
        ModelCache.FileLease clip = lease(encoders.get(EncoderCheck.CLIP));
        ModelCache.FileLease dino = null;
        try {
            dino = lease(encoders.get(EncoderCheck.DINO));
            List<RgbImage> real = RgbImage.filesIn(realImages.get()).stream().map(RgbImage::read).toList();
            EvalEncoders loaded = EvalEncoders.load(clip.path(), dino.path(),
                    EngineOptions.parse(engine.device(), "float32"));
            return Optional.of(new Evaluation(loaded, real, request.validationPrompts(), request.subjectTokens(),
                    request.selectBy(), List.of(clip, dino)));
        } catch (RuntimeException e) {
            clip.close();
            if (dino != null) {
                dino.close();
            }
            throw e;
        }
    }

    private ModelCache.FileLease lease(ModelManifest encoder) {
        try {
            return cache.encoder(encoder.id());
        } catch (ModelCacheException e) {
            throw new JobFailure(e.code(), e.getMessage(), e);
        }
    }
}
