package ai.booth.diffusion.scheduler;

/**
 * The few numpy routines diffusers builds its timestep and sigma tables with, computed in the same order so the
 * tables come out the same: {@code linspace} (i·step + start, exact end point), {@code round} (half to even),
 * {@code interp} (piecewise linear, clamped), the Karras ramp and the sigma → timestep interpolation.
 */
final class Numpy {

    private Numpy() {
    }

    /** {@code np.linspace(start, stop, num)} in float64. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code np.round}: halves go to the even neighbour. */
    static double[] round(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.rint(x[i]);
        }
        return y;
    }

    static double[] reverse(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[x.length - 1 - i];
        }
        return y;
    }

    /** {@code np.interp(x, arange(len(fp)), fp)}: linear between integer knots, clamped at the ends. */
    static double[] interp(double[] x, float[] fp) {
        double[] y = new double[x.length];
        int last = fp.length - 1;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (v <= 0) {
                y[i] = fp[0];
            } else if (v >= last) {
                y[i] = fp[last];
            } else {
                int j = (int) Math.floor(v);
                double slope = (double) fp[j + 1] - fp[j];     // knots are one apart
                y[i] = slope * (v - j) + fp[j];
            }
        }
        return y;
    }

    /**
     * Karras et al. (2022) noise levels, rho 7, written as diffusers' {@code _convert_to_karras}: from the first to
     * the last entry of {@code inSigmas}, evenly spaced in sigma^(1/rho).
     */
    static double[] karras(double first, double last, int num) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, num);
        double firstInvRho = Math.pow(first, 1 / rho);
        double lastInvRho = Math.pow(last, 1 / rho);
        double[] sigmas = new double[num];
        for (int i = 0; i < num; i++) {
            sigmas[i] = Math.pow(firstInvRho + ramp[i] * (lastInvRho - firstInvRho), rho);
        }
        return sigmas;
    }

    /** {@link #sigmaToT} of each sigma. */
    static double[] sigmasToT(double[] sigmas, float[] logSigmas) {
        double[] t = new double[sigmas.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = sigmaToT(sigmas[i], logSigmas);
        }
        return t;
    }

    /**
     * diffusers' {@code _sigma_to_t}: the fractional training timestep whose log-sigma brackets log(sigma),
     * interpolating linearly in log-sigma between the two neighbouring entries of the ascending {@code logSigmas}.
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(sigma);
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;     // the last index at or below log(sigma)
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        double lo = logSigmas[low];
        double hi = logSigmas[low + 1];
        double w = Math.min(Math.max((lo - logSigma) / (lo - hi), 0), 1);
        return (1 - w) * low + w * (low + 1);
    }
}
