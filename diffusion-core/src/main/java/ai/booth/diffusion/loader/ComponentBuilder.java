package ai.booth.diffusion.loader;

import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.nn.TensorSource;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.Map;
import java.util.function.Function;

/**
 * Builds one model from named tensor sources: first a dry run that checks every name and shape (so a wrong
 * checkpoint fails with one {@link ai.booth.diffusion.nn.CheckpointException} before anything is read), then the
 * real build into a fresh manager on the device, which the model owns. The dry run alone ({@link #check}) needs no
 * engine: it touches no tensor, so model registries can vet a checkpoint in processes without native libraries.
 */
final class ComponentBuilder {

    private ComponentBuilder() {
    }

    static <T> T build(String what, Map<String, TensorSource> sources, Device device, DataType dtype,
                       Function<StateDict, T> constructor) {
        check(what, sources, dtype, constructor);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            StateDict weights = StateDict.of(sources, manager, dtype);
            T model = constructor.apply(weights);
            weights.finish(what);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Names and shapes only, without a manager (models store theirs but build nothing from it in a dry run). */
    static void check(String what, Map<String, TensorSource> sources, DataType dtype,
                      Function<StateDict, ?> constructor) {
        StateDict dry = StateDict.dryRun(sources, null, dtype);
        constructor.apply(dry);
        dry.finish(what);
    }
}
