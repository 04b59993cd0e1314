package ai.booth.sampler;

import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridAxis;
import ai.booth.contracts.GridSpec;
import ai.booth.contracts.LoraRef;
import ai.booth.diffusion.pipeline.ControlNetRequest;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.LoraRequest;
import ai.booth.diffusion.pipeline.Sweep;
import ai.booth.diffusion.pipeline.SweepAxis;
import ai.booth.diffusion.scheduler.Schedulers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A {@link GenerationRequested} in the engine's terms; a bad value is an IllegalArgumentException naming it. */
final class RequestParams {

    /** Contract grid parameters → the engine's sweep axes. */
    private static final Map<String, SweepAxis> AXES = Map.of("seed", SweepAxis.SEED, "steps", SweepAxis.STEPS,
            "guidanceScale", SweepAxis.GUIDANCE_SCALE, "unetScale", SweepAxis.UNET_LORA_SCALE,
            "textEncoderScale", SweepAxis.TEXT_ENCODER_LORA_SCALE, "prompt", SweepAxis.PROMPT,
            "controlScale", SweepAxis.CONTROL_SCALE);

    private RequestParams() {
    }

    /**
     * The pipeline request: clip skip 0 (contract: layers skipped) is the engine's 1 (last layer); a grid renders
     * one image per cell.
     *
     * @param adapterFiles the local file of each adapter key (LoRAs and embedding files)
     * @param controls     the request's ControlNet units with their maps ({@link RequestControls})
     */
    static GenerationParams of(GenerationRequested r, Function<String, Path> adapterFiles,
                               List<ControlNetRequest> controls) {
        List<LoraRequest> loras = r.loras().stream().map(l -> new LoraRequest(adapterFiles.apply(l.adapterKey()),
                (float) l.unetScale(), (float) l.textEncoderScale())).toList();
        return GenerationParams.builder(r.prompt()).negativePrompt(r.negativePrompt()).steps(r.steps())
                .guidanceScale(r.guidanceScale()).seed(r.seed()).imagesPerPrompt(r.grid() == null ? r.count() : 1)
                .size(r.width(), r.height()).clipSkip(r.clipSkip() + 1).scheduler(r.scheduler()).loras(loras)
                .controlNets(controls).embeddings(r.embeddings().stream().map(adapterFiles).toList())
                .deepCache(r.deepCacheInterval()).tokenMerging(r.tokenMergingRatio()).build();
    }

    /** The validated sweep of a grid request (its axes checked against the request by the engine). */
    static Sweep sweep(GridSpec grid) {
        return new Sweep(axis("grid.x", grid.x()), values("grid.x", grid.x()), axis("grid.y", grid.y()),
                values("grid.y", grid.y()));
    }

    /**
     * What requests must share to be rendered together: model, adapters and their scales, embedding files (the
     * engine makes a call's embeddings active for all its requests), ControlNets (each with its own image, so their
     * requests are rendered alone), scheduler, steps, guidance, size and clip skip. Grids are rendered alone (their
     * cells are a batch already).
     */
    record BatchKey(String baseModel, List<LoraRef> loras, List<String> embeddings, String scheduler, int steps,
                    double guidanceScale, int width, int height, int clipSkip, String aloneId) {

        static BatchKey of(GenerationRequested r) {
            return new BatchKey(r.baseModel(), r.loras(), r.embeddings(), Schedulers.canonicalName(r.scheduler()),
                    r.steps(),
                    r.guidanceScale(), r.width(), r.height(), r.clipSkip(),
                    r.grid() == null && r.controls().isEmpty() ? null : r.generationId());
        }
    }

    private static SweepAxis axis(String field, GridAxis axis) {
        SweepAxis engine = AXES.get(axis.parameter());
        if (engine == null) {
            throw new IllegalArgumentException(field + ".parameter '" + axis.parameter() + "' is not supported by "
                    + "sampler-service; use one of " + AXES.keySet());
        }
        return engine;
    }

    private static List<String> values(String field, GridAxis axis) {
        if (axis.values() == null || axis.values().isEmpty()) {
            throw new IllegalArgumentException(field + ".values must not be empty");
        }
        return axis.values().stream().map(String::strip).toList(); // each checked against the request by the engine
    }
}
