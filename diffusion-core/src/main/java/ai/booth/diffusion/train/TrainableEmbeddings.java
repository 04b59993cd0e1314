package ai.booth.diffusion.train;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.tokenizer.AddedToken;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * New tokens learned by textual inversion / pivotal tuning: one float32 master [n, width] (parameter
 * {@value #PARAMETER}) holding the rows of ids vocab_size, vocab_size + 1, ... The base embedding matrix is never
 * touched — the text encoder looks the new ids up in these rows — so every other row stays exactly as it was, whatever
 * the optimizer's weight decay.
 */
public final class TrainableEmbeddings implements Trainable, AutoCloseable {

    /** The parameter's name (in gradients, optimizer state and checkpoints). */
    public static final String PARAMETER = "embeddings";

    private final CLIPTextModel textEncoder;
    private final List<String> tokens;
    private final NDManager manager;
    private final NDArray rows;

    /**
     * @param initial the starting rows [tokens.size(), width] (copied; any manager)
     */
    public TrainableEmbeddings(CLIPTextModel textEncoder, List<String> tokens, NDArray initial) {
        if (textEncoder.dtype() != DataType.FLOAT32) {
            throw new IllegalArgumentException("textual inversion trains on a float32 text encoder, this one is "
                    + textEncoder.dtype());
        }
        Shape expected = new Shape(tokens.size(), textEncoder.config().hiddenSize());
        if (!initial.getShape().equals(expected)) {
            throw new IllegalArgumentException("initial embeddings are " + initial.getShape() + ", expected "
                    + expected + " for tokens " + tokens);
        }
        this.textEncoder = textEncoder;
        this.tokens = List.copyOf(tokens);
        this.manager = textEncoder.tokenEmbedding().getManager().newSubManager();
        // An owned copy: the initial rows may be a read-only view of a file (toType(…, true) does not copy when
        // the type already matches).
        try (NDManager scratch = manager.newSubManager()) {
            NDArray moved = initial.toDevice(textEncoder.tokenEmbedding().getDevice(), false);
            NDArray wide = moved.toType(DataType.FLOAT32, false);
            if (moved != initial) {
                moved.attach(scratch);
            }
            if (wide != moved) {
                wide.attach(scratch);
            }
            this.rows = wide.duplicate();
        }
        rows.attach(manager);
        rows.setRequiresGradient(true);
    }

    /**
     * Starting rows for {@code count} new tokens: the embedding of {@code initializer}'s tokens (cycled when it has
     * fewer tokens than needed, as A1111 does), or, with no initializer, normal noise at the scale of the existing
     * rows (std of the whole matrix, as diffusers' advanced script) drawn from {@code random}. In {@code into}.
     */
    public static NDArray initialRows(CLIPTextModel textEncoder, CLIPTokenizer tokenizer, String initializer,
                                      int count, TorchGenerator random, NDManager into) {
        NDArray table = textEncoder.tokenEmbedding();
        long width = table.getShape().get(1);
        if (initializer == null || initializer.isBlank()) {
            try (NDManager scratch = into.newSubManager()) {
                NDArray t = table.toType(DataType.FLOAT32, false);
                t.attach(scratch);
                float std = t.sub(t.mean()).square().sum().div(t.size() - 1).sqrt().getFloat();  // torch.std: unbiased
                NDArray noise = into.create(random.randn(count * width), new Shape(count, width));
                return noise.muli(std);
            }
        }
        int[] ids = tokenizer.encode(initializer);
        int n = tokenizer.tokenCount(initializer);
        if (n == 0) {
            throw new IllegalArgumentException("initializer token '" + initializer + "' has no tokens");
        }
        long[] pick = new long[count];
        for (int i = 0; i < count; i++) {
            pick[i] = ids[1 + i % Math.min(n, tokenizer.maxTextTokens())];
        }
        try (NDManager scratch = into.newSubManager()) {
            NDArray index = scratch.create(pick);
            NDArray chosen = table.get(index);   // index_select: a copy
            NDArray wide = chosen.toType(DataType.FLOAT32, false);
            wide.attach(into);
            return wide;
        }
    }

    /** The new token names, in row order. */
    public List<String> tokens() {
        return tokens;
    }

    /** The tokenizer's added tokens for these rows (one id each, from {@code tokenizer}'s vocabulary size). */
    public List<AddedToken> addedTokens(CLIPTokenizer tokenizer) {
        return TextualInversion.sequential(tokens, 1, tokenizer.vocabSize());
    }

    /** The float32 master rows (live: copy before changing). */
    public NDArray rows() {
        return rows;
    }

    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put(PARAMETER, rows);
        return out;
    }

    /** Attaches a view of the rows made in {@code step}: under autograd it passes gradients to the master. */
    @Override
    public Binding bind(NDManager step) {
        NDArray view = rows.reshape(rows.getShape());
        view.attach(step);
        CLIPTextModel.AttachedTokens handle = textEncoder.attachTokens(view);
        return handle::close;
    }

    @Override
    public Map<String, NDArray> gradients(NDManager into) {
        NDArray g = rows.getGradient();
        g.attach(into);
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put(PARAMETER, g);
        return out;
    }

    @Override
    public void zeroGradients() {
        JniUtils.zeroGrad((PtNDArray) rows);
    }

    /** Stops the rows requiring gradients and frees them. */
    @Override
    public void close() {
        rows.setRequiresGradient(false);
        manager.close();
    }
}
