package ai.booth.service.models;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.loader.EncoderCheck;
import ai.booth.diffusion.runtime.EngineOptions;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The installed evaluation encoders (a {@code clip} and a {@code dino}, {@link ModelRegistry#encoders}) loaded for
 * scoring: the trainer's validation scores and the sampler's evaluation requests load the same ones the same way, in
 * float32 on the engine's device, so scores compare across nodes and jobs.
 */
@ApplicationScoped
public class ScoringEncoders {

    /** The failure code of a job that needs encoders nobody installed. */
    public static final String UNAVAILABLE = "ENCODERS_NOT_INSTALLED";

    private final ModelRegistry registry;
    private final ModelCache cache;
    private final EngineConfig engine;

    public ScoringEncoders(ModelRegistry registry, ModelCache cache, EngineConfig engine) {
        this.registry = registry;
        this.cache = cache;
        this.engine = engine;
    }

    /**
     * Leases both encoders' files and loads them; a {@link ModelCacheException} with {@link #UNAVAILABLE} when one is
     * not installed (saying how to install it), or the cache's code when its files cannot be had.
     */
    public Loaded load() {
        Map<String, ModelManifest> installed = registry.encoders();
        List<String> missing = EncoderCheck.ROLES.stream().filter(role -> !installed.containsKey(role)).toList();
        if (!missing.isEmpty()) {
            throw new ModelCacheException(UNAVAILABLE, "scoring " + EncoderCheck.missingMessage(missing));
        }
        List<ModelCache.FileLease> leases = new ArrayList<>();
        try {
            ModelCache.FileLease clip = cache.encoder(installed.get(EncoderCheck.CLIP).id());
            leases.add(clip);
            ModelCache.FileLease dino = cache.encoder(installed.get(EncoderCheck.DINO).id());
            leases.add(dino);
            EvalEncoders encoders = EvalEncoders.load(clip.path(), dino.path(),
                    EngineOptions.parse(engine.device(), "float32"));
            return new Loaded(encoders, List.copyOf(leases));
        } catch (RuntimeException e) {
            leases.forEach(ModelCache.FileLease::close);
            throw e;
        }
    }

    /** Loaded encoders and the leases that keep their files until closed. */
    public record Loaded(EvalEncoders encoders, List<ModelCache.FileLease> leases) implements AutoCloseable {
        @Override
        public void close() {
            encoders.close();
            leases.forEach(ModelCache.FileLease::close);
        }
    }
}
