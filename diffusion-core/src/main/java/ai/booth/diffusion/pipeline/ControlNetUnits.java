package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.controlnet.ControlNetModel;
import ai.booth.diffusion.loader.ControlNetLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.unet.ControlResiduals;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ControlNet part of diffusers' {@code StableDiffusionControlNetPipeline}: models loaded once per pipeline (like
 * LoRA files), and per denoising step the summed residuals of every unit active at that step.
 */
final class ControlNetUnits implements AutoCloseable {

    /** A unit of one request: its settings, its model and its map at the output size. */
    record Unit(ControlNetRequest request, ControlNetModel model, NDArray image) {
        /** diffusers: {@code guess_mode = guess_mode or global_pool_conditions}. */
        boolean guessMode() {
            return request.guessMode() || model.config().globalPoolConditions();
        }
    }

    private final StableDiffusionModel base;
    private final Map<Path, ControlNetModel> models = new HashMap<>();
    private final Map<Path, String> hashes = new HashMap<>();

    ControlNetUnits(StableDiffusionModel base) {
        this.base = base;
    }

    /** The request's units, maps loaded into {@code manager} ([1, 3, height, width], 0..1). */
    List<Unit> prepare(GenerationParams p, NDManager manager) {
        List<Unit> units = new ArrayList<>();
        for (ControlNetRequest r : p.controlNets()) {
            if (r.image() == null) {
                throw new IllegalArgumentException("controlnet " + r.name() + " has no control image");
            }
            ControlNetModel model = models.computeIfAbsent(key(r.model()),
                    k -> ControlNetLoader.load(k, base.unet().config(), base.options()));
            units.add(new Unit(r, model, ControlImage.load(r.image(), p.width(), p.height(), manager)));
        }
        return units;
    }

    /** A1111's short hash of each unit's model, by name. */
    Map<String, String> hashes(GenerationParams p) {
        Map<String, String> byName = new HashMap<>();
        p.controlNets().forEach(r -> byName.put(r.name(), hashes.computeIfAbsent(key(r.model()),
                k -> ModelHashes.legacyShortHash(ControlNetLoader.weightsFile(k)))));
        return byName;
    }

    /**
     * The residuals for step {@code i} of {@code n}, summed over the units active then; null when none is.
     *
     * @param input       the UNet's input (scaled; [uncond, cond] latents with guidance)
     * @param condInput   the scaled latents alone, for guess mode under guidance
     * @param context     the UNet's text embeddings ([uncond, cond] with guidance)
     * @param cond        the prompt's embeddings alone
     */
    ControlResiduals residuals(List<Unit> units, int i, int n, NDArray input, NDArray condInput, NDArray t,
                               NDArray context, NDArray cond, boolean guidance) {
        ControlResiduals sum = null;
        for (Unit u : units) {
            ControlNetRequest r = u.request();
            if (!r.activeAt(i, n)) {
                continue;  // diffusers runs it at scale 0: zero residuals, which add nothing
            }
            // guess mode under guidance: the ControlNet sees the conditional half only; zeros for the other half
            boolean half = u.guessMode() && guidance;
            NDArray x = half ? condInput : input;
            long batch = x.getShape().get(0);
            NDArray image = u.image();
            if (batch > 1) {
                image = image.repeat(0, batch);
                image.attach(x.getManager());  // the step's manager, not the request's: freed with the step
            }
            ControlResiduals out = u.model().forward(x, t, half ? cond : context, image, r.scale(), u.guessMode());
            if (half) {
                out = new ControlResiduals(out.down().stream().map(ControlNetUnits::zeroFirstHalf).toList(),
                        zeroFirstHalf(out.mid()));
            }
            sum = sum == null ? out : add(sum, out);
        }
        return sum;
    }

    private static NDArray zeroFirstHalf(NDArray x) {
        return x.zerosLike().concat(x);
    }

    private static ControlResiduals add(ControlResiduals a, ControlResiduals b) {
        List<NDArray> down = new ArrayList<>();
        for (int i = 0; i < a.down().size(); i++) {
            down.add(a.down().get(i).add(b.down().get(i)));
        }
        return new ControlResiduals(down, a.mid().add(b.mid()));
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    @Override
    public void close() {
        models.values().forEach(ControlNetModel::close);
        models.clear();
    }
}
