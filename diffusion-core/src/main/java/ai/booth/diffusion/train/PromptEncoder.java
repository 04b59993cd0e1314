package ai.booth.diffusion.train;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Text conditioning for training batches: prompts → CLIP ids → text-encoder hidden states. With a trained text
 * encoder every batch runs the encoder (under autograd, so gradients reach its LoRA factors); with a frozen one each
 * distinct prompt is encoded once and reused.
 */
public final class PromptEncoder implements AutoCloseable {

    private final CLIPTokenizer tokenizer;
    private final CLIPTextModel textEncoder;
    private final int clipSkip;
    private final NDManager cacheManager;
    private final Map<String, NDArray> cache = new HashMap<>();

    /** @param cacheManager where cached embeddings live; null when the text encoder is trained (no caching) */
    public PromptEncoder(CLIPTokenizer tokenizer, CLIPTextModel textEncoder, int clipSkip, NDManager cacheManager) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.clipSkip = clipSkip;
        this.cacheManager = cacheManager == null ? null : cacheManager.newSubManager();
    }

    /** The token ids of {@code prompts} as an int64 [B, max_length] array in {@code manager}. */
    public NDArray ids(List<String> prompts, NDManager manager) {
        return manager.create(tokenizer.encodeBatch(prompts));
    }

    /** The hidden states [B, tokens, width] of {@code prompts}, attached to {@code manager}. */
    public NDArray encode(List<String> prompts, NDManager manager) {
        if (cacheManager == null) {
            return textEncoder.forward(ids(prompts, manager), clipSkip);
        }
        NDList rows = new NDList();
        for (String p : prompts) {
            rows.add(cache.computeIfAbsent(p, this::encodeOnce));
        }
        NDArray batch = NDArrays.concat(rows);   // a new array, made in the cache's manager: hand it over
        batch.attach(manager);
        return batch;
    }

    private NDArray encodeOnce(String prompt) {
        try (NDArray ids = ids(List.of(prompt), cacheManager)) {
            return textEncoder.forward(ids, clipSkip);
        }
    }

    @Override
    public void close() {
        if (cacheManager != null) {
            cacheManager.close();
        }
    }
}
