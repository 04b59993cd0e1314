package ai.booth.diffusion.eval;

/** Cosine similarities between embedding rows, computed in double. */
public final class Similarity {

    private Similarity() {
    }

    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** [rows × cols] cosine matrix. */
    public static double[][] cosines(float[][] rows, float[][] cols) {
        double[][] m = new double[rows.length][cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                m[i][j] = cosine(rows[i], cols[j]);
            }
        }
        return m;
    }

    /** Mean cosine over every (row, col) pair. */
    public static double meanPairwise(float[][] rows, float[][] cols) {
        if (rows.length == 0 || cols.length == 0) {
            throw new IllegalArgumentException("no pairs: " + rows.length + " × " + cols.length + " embeddings");
        }
        double sum = 0;
        for (double[] row : cosines(rows, cols)) {
            for (double v : row) {
                sum += v;
            }
        }
        return sum / ((double) rows.length * cols.length);
    }

    /** Mean cosine of row i with row i of the other set: each image with its own prompt. */
    public static double meanAligned(float[][] rows, float[][] others) {
        if (rows.length == 0 || rows.length != others.length) {
            throw new IllegalArgumentException("need as many embeddings on each side, got " + rows.length + " and "
                    + others.length);
        }
        double sum = 0;
        for (int i = 0; i < rows.length; i++) {
            sum += cosine(rows[i], others[i]);
        }
        return sum / rows.length;
    }

    /** Mean cosine over the distinct pairs i < j of one set. */
    public static double meanDistinctPairs(float[][] rows) {
        if (rows.length < 2) {
            throw new IllegalArgumentException("need at least two embeddings, got " + rows.length);
        }
        double sum = 0;
        for (int i = 0; i < rows.length; i++) {
            for (int j = i + 1; j < rows.length; j++) {
                sum += cosine(rows[i], rows[j]);
            }
        }
        return sum / (rows.length * (rows.length - 1) / 2.0);
    }
}
