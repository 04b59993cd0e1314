package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Scaled dot-product attention, {@code softmax(scale·q·kᵀ + mask)·v}, composed from native matmul and softmax
 * (DJL exposes no fused kernel). The score matrix is the memory peak — at latent 64 (4096 tokens) all heads at once
 * would take gigabytes — so work is sliced over heads and, when one head is still too big, over query rows.
 * Half-precision inputs get their scores and softmax in float32 (diffusers' upcast_attention/upcast_softmax).
 */
public final class Attention {

    /**
     * Largest score tensor computed at once, in elements: 4 Mi floats = 16 MB, under glibc's largest heap allocation, so
     * score chunks are reused from the heap instead of being mapped and page-faulted in afresh for every head.
     */
    static final long MAX_SCORES = 1L << 22;

    private Attention() {
    }

    /**
     * @param q    [..., N, d]
     * @param k    [..., M, d]
     * @param v    [..., M, dv]
     * @param mask additive mask broadcastable to [N, M] (e.g. causal), or null
     * @return [..., N, dv]
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        return scaledDotProduct(q, k, v, mask, scale, MAX_SCORES);
    }

    /**
     * Multi-head attention on packed heads, the layout the projections produce: q [B, N, H·d], k [B, M, H·d],
     * v [B, M, H·dv] → [B, N, H·dv]. Each head is a strided view handed to BLAS as is (no transposed copies of q, k
     * and v), and heads run one after another, which also bounds the score memory to one head's [B, N, M].
     */
    public static NDArray multiHead(NDArray q, NDArray k, NDArray v, int heads, NDArray mask, float scale) {
        long d = q.getShape().get(2) / heads;
        long dv = v.getShape().get(2) / heads;
        NDArray scaled = Ops.scale(q, scale);
        NDList out = new NDList(heads);
        for (int h = 0; h < heads; h++) {
            NDIndex qk = new NDIndex(":, :, " + h * d + ":" + (h + 1) * d);
            out.add(scaledDotProduct(scaled.get(qk), k.get(qk), v.get(new NDIndex(":, :, " + h * dv + ":" + (h + 1) * dv)),
                    mask, 1f, MAX_SCORES));
        }
        return heads == 1 ? out.head() : NDArrays.concat(out, 2);
    }

    static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray mask, float scale, long maxScores) {
        Shape qs = q.getShape();
        int nd = qs.dimension();
        long n = qs.get(nd - 2);
        long d = qs.get(nd - 1);
        long m = k.getShape().get(nd - 2);
        long dv = v.getShape().get(nd - 1);
        long batch = qs.size() / (n * d);
        long started = OpMeter.start();
        OpMeter.flops(OpMeter.Kind.ATTENTION, 2 * batch * n * m * (d + dv));
        if (batch * n * m <= maxScores) {
            NDArray out = attend(q, k, v, mask, scale);
            OpMeter.stop(OpMeter.Kind.ATTENTION, started);
            return out;
        }
        NDArray q3 = q.reshape(batch, n, d);
        NDArray k3 = k.reshape(batch, m, d);
        NDArray v3 = v.reshape(batch, m, dv);
        long perSlice = Math.max(1, maxScores / (n * m));
        long rows = perSlice > 1 ? n : Math.max(1, maxScores / m);
        NDList parts = new NDList();
        for (long b = 0; b < batch; b += perSlice) {
            String bs = b + ":" + Math.min(batch, b + perSlice);
            NDArray kb = k3.get(new NDIndex(bs));
            NDArray vb = v3.get(new NDIndex(bs));
            for (long r = 0; r < n; r += rows) {
                String rs = r + ":" + Math.min(n, r + rows);
                NDArray maskRows = mask == null || rows == n ? mask : rowsOf(mask, rs);
                parts.add(attend(q3.get(new NDIndex(bs + "," + rs)), kb, vb, maskRows, scale));
            }
        }
        NDArray out = parts.size() == 1 ? parts.head() : concatSlices(parts, batch, perSlice, n, rows);
        OpMeter.stop(OpMeter.Kind.ATTENTION, started);
        return out.reshape(qs.slice(0, nd - 1).addAll(new Shape(dv)));
    }

    private static NDArray concatSlices(NDList parts, long batch, long perSlice, long n, long rows) {
        if (rows == n) {
            return NDArrays.concat(parts, 0);
        }
        long chunks = (n + rows - 1) / rows;
        NDList perBatch = new NDList();
        for (int i = 0; i < parts.size(); i += (int) chunks) {
            perBatch.add(NDArrays.concat(new NDList(parts.subList(i, i + (int) chunks)), 1));
        }
        return NDArrays.concat(perBatch, 0);
    }

    /** Query rows of a mask broadcastable to [N, M]: its second-to-last axis. */
    private static NDArray rowsOf(NDArray mask, String rows) {
        return mask.get(new NDIndex(":,".repeat(mask.getShape().dimension() - 2) + rows + ",:"));
    }

    private static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        DataType type = q.getDataType();
        // Under autograd (half-precision training) the scores stay in half: DJL's dtype cast is not differentiable
        // (it runs under libtorch's no-grad guard), so the upcast would cut q and k out of the gradient.
        boolean upcast = type == DataType.FLOAT16 && !JniUtils.isGradMode();
        NDArray qf = upcast ? q.toType(DataType.FLOAT32, false) : q;
        NDArray kf = upcast ? k.toType(DataType.FLOAT32, false) : k;
        int nd = kf.getShape().dimension();
        NDArray scores = (scale == 1f ? qf : Ops.scale(qf, scale)).matMul(kf.swapAxes(nd - 2, nd - 1));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray probs = scores.softmax(-1);
        return probs.toType(type, false).matMul(v);
    }
}
