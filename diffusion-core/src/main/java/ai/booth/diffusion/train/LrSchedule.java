package ai.booth.diffusion.train;

import java.util.List;
import java.util.Locale;

/**
 * Learning-rate schedules as diffusers' {@code get_scheduler} (LambdaLR over optimizer steps): the rate of optimizer
 * step {@code s} (0-based: the first update uses s = 0) is the base rate times the schedule's factor.
 * <ul>
 *   <li>{@code constant}: 1</li>
 *   <li>{@code constant_with_warmup}: s / warmup during warmup, then 1</li>
 *   <li>{@code linear}: warmup, then down to 0 at {@code totalSteps}</li>
 *   <li>{@code cosine}: warmup, then half a cosine wave ({@code cycles} = 0.5 by default) down to 0</li>
 *   <li>{@code cosine_with_restarts}: warmup, then {@code cycles} (default 1) hard restarts of a cosine to 0</li>
 *   <li>{@code polynomial}: warmup, then (1 − progress)^power from the base rate down to 1e-7</li>
 * </ul>
 * Note diffusers' warmup starts at 0: with warmup the very first update has learning rate 0, as there.
 *
 * @param cycles cosine waves (cosine: 0.5 = one half wave; cosine_with_restarts: number of restarts); NaN = default
 */
public record LrSchedule(String name, int warmupSteps, int totalSteps, double cycles, double power) {

    /** The schedule when none is named: the CLI's, the API's and TrainingConfig's. */
    public static final String DEFAULT = "constant";
    public static final List<String> NAMES = List.of("constant", "constant_with_warmup", "linear", "cosine",
            "cosine_with_restarts", "polynomial");
    /** polynomial decays to this rate, as diffusers' default {@code lr_end}. */
    public static final double POLYNOMIAL_END = 1e-7;

    public LrSchedule {
        name = name == null ? DEFAULT : name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown lr schedule '" + name + "'; use one of " + NAMES);
        }
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("lr schedule needs warmup >= 0 and total steps >= 1, got " + warmupSteps
                    + ", " + totalSteps);
        }
        if (Double.isNaN(cycles)) {
            cycles = name.equals("cosine_with_restarts") ? 1 : 0.5;
        }
        if (!(power > 0)) {
            throw new IllegalArgumentException("lr schedule power must be positive, got " + power);
        }
    }

    /** The learning rate of optimizer step {@code step} (0-based) for a group whose base rate is {@code baseLr}. */
    public double lr(int step, double baseLr) {
        return baseLr * factor(step, baseLr);   // LambdaLR: base_lr * lambda(step), in double
    }

    /** diffusers' lambda: the factor on the base rate at optimizer step {@code step}. */
    public double factor(int step, double baseLr) {
        if (!name.equals("constant") && step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (name) {
            case "constant", "constant_with_warmup" -> 1;
            case "linear" -> Math.max(0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case "cosine" -> Math.max(0, 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress)));
            case "cosine_with_restarts" -> progress >= 1 ? 0
                    : Math.max(0, 0.5 * (1 + Math.cos(Math.PI * ((cycles * progress) % 1.0))));
            default -> polynomial(step, baseLr);
        };
    }

    private double polynomial(int step, double baseLr) {
        if (!(baseLr > POLYNOMIAL_END)) {
            throw new IllegalArgumentException("polynomial lr schedule: base rate " + baseLr + " must exceed its end "
                    + POLYNOMIAL_END);
        }
        if (step > totalSteps) {
            return POLYNOMIAL_END / baseLr;
        }
        double remaining = 1 - (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return ((baseLr - POLYNOMIAL_END) * Math.pow(remaining, power) + POLYNOMIAL_END) / baseLr;
    }
}
