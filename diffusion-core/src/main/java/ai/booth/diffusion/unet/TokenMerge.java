package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.OpMeter;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Token merging for Stable Diffusion (Bolya &amp; Hoffman 2023, "ToMe for SD"), for one transformer block's
 * self-attention: the H·W tokens are split into destinations, one per 2×2 cell (its top-left token: ToMe's random
 * choice is off, so images stay reproducible), and sources (the rest); the {@code ratio}·H·W sources most similar to
 * a destination (cosine of the block's input) are averaged into it, attention runs on the fewer tokens, and its output
 * is copied back to every merged token. The index work is done on the host: a few ints per token.
 */
final class TokenMerge {

    private final NDArray keep;       // [B, M, C]: the unmerged sources, then the destinations
    private final NDArray sources;    // [B, r, C]: the merged sources
    private final NDArray into;       // [B, D, r]: 1 where merged source k goes into destination j
    private final NDArray counts;     // [B, D, 1]: 1 + the sources merged into each destination
    private final NDArray back;       // [B, N, C]: each original token's row among the merged ones
    private final int unmerged;

    /** The merge of {@code x} [B, H·W, C] (the block's input, the similarity metric); arrays in {@code m}. */
    static TokenMerge of(NDArray x, int height, int width, double ratio, NDManager m) {
        Shape s = x.getShape();
        int batch = (int) s.get(0);
        int n = height * width;
        long channels = s.get(2);
        int[] dst = new int[((height + 1) / 2) * ((width + 1) / 2)];
        int[] src = new int[n - dst.length];
        for (int p = 0, d = 0, q = 0; p < n; p++) {
            if ((p / width) % 2 == 0 && (p % width) % 2 == 0) {
                dst[d++] = p;
            } else {
                src[q++] = p;
            }
        }
        int r = (int) Math.min(src.length, Math.floor(ratio * n));
        NDArray metric = x.toType(DataType.FLOAT32, false);
        metric = metric.div(metric.norm(new int[]{2}, true).add(1e-6f));
        NDArray a = metric.gather(index(m, batch, src, channels), 1);
        NDArray b = metric.gather(index(m, batch, dst, channels), 1);
        NDArray scores = a.matMul(b.transpose(0, 2, 1));
        OpMeter.flops(OpMeter.Kind.LINEAR, 2L * batch * src.length * dst.length * channels);
        float[] best = scores.max(new int[]{2}).toFloatArray();
        long[] bestDst = scores.argMax(2).toType(DataType.INT64, false).toLongArray();

        int keptCount = src.length - r + dst.length;
        long[] keep = new long[batch * keptCount];
        long[] sources = new long[batch * r];
        float[] into = new float[batch * dst.length * r];
        float[] counts = new float[batch * dst.length];
        long[] back = new long[batch * n];
        for (int bi = 0; bi < batch; bi++) {
            int base = bi * src.length;
            Integer[] order = new Integer[src.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -best[base + i]));   // stable: ties by index
            int unm = src.length - r;
            for (int k = 0; k < unm; k++) {
                int p = src[order[r + k]];
                keep[bi * keptCount + k] = p;
                back[bi * n + p] = k;
            }
            for (int j = 0; j < dst.length; j++) {
                keep[bi * keptCount + unm + j] = dst[j];
                back[bi * n + dst[j]] = unm + j;
                counts[bi * dst.length + j] = 1;
            }
            for (int k = 0; k < r; k++) {
                int i = order[k];
                int j = (int) bestDst[base + i];
                sources[bi * r + k] = src[i];
                into[(bi * dst.length + j) * r + k] = 1;
                counts[bi * dst.length + j] += 1;
                back[bi * n + src[i]] = unm + j;
            }
        }
        DataType dtype = x.getDataType();
        return new TokenMerge(
                broadcast(m.create(keep, new Shape(batch, keptCount, 1)), channels),
                broadcast(m.create(sources, new Shape(batch, r, 1)), channels),
                m.create(into, new Shape(batch, dst.length, r)).toType(dtype, false),
                m.create(counts, new Shape(batch, dst.length, 1)).toType(dtype, false),
                broadcast(m.create(back, new Shape(batch, n, 1)), channels),
                src.length - r);
    }

    private TokenMerge(NDArray keep, NDArray sources, NDArray into, NDArray counts, NDArray back, int unmerged) {
        this.keep = keep;
        this.sources = sources;
        this.into = into;
        this.counts = counts;
        this.back = back;
        this.unmerged = unmerged;
    }

    /** [B, N, C] → [B, M, C]: the unmerged sources, then each destination averaged with its merged sources. */
    NDArray merge(NDArray y) {
        NDArray kept = y.gather(keep, 1);
        long d = into.getShape().get(1);
        long r = into.getShape().get(2);
        NDArray dst = kept.get(":, " + unmerged + ":, :");
        if (r > 0) {
            dst = dst.add(into.matMul(y.gather(sources, 1)));
            OpMeter.flops(OpMeter.Kind.LINEAR, 2L * y.getShape().get(0) * d * r * y.getShape().get(2));
        }
        return kept.get(":, :" + unmerged + ", :").concat(dst.div(counts), 1);
    }

    /** [B, M, C] → [B, N, C]: every token takes the row it was merged into. */
    NDArray unmerge(NDArray z) {
        return z.gather(back, 1);
    }

    private static NDArray index(NDManager m, int batch, int[] positions, long channels) {
        long[] all = new long[batch * positions.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < positions.length; i++) {
                all[b * positions.length + i] = positions[i];
            }
        }
        return broadcast(m.create(all, new Shape(batch, positions.length, 1)), channels);
    }

    private static NDArray broadcast(NDArray index, long channels) {
        Shape s = index.getShape();
        return index.broadcast(new Shape(s.get(0), s.get(1), channels));
    }
}
