package ai.booth.diffusion.embedding;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.tokenizer.AddedToken;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The textual-inversion embeddings a generation uses, loaded once: their vectors get consecutive ids after the
 * vocabulary (file by file, in the order given) and {@link #attach} installs them on a text encoder and a tokenizer
 * together, so the two always agree on the ids. Owns its manager.
 */
public final class TokenEmbeddings implements AutoCloseable {

    private final List<TextualInversion> items;
    private final NDManager manager;
    private final NDArray rows;
    private final int vocabSize;
    private final List<AddedToken> tokens = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private TokenEmbeddings(List<TextualInversion> items, NDManager manager, NDArray rows, int vocabSize) {
        this.items = List.copyOf(items);
        this.manager = manager;
        this.rows = rows;
        this.vocabSize = vocabSize;
        items.forEach(t -> notes.addAll(t.notes()));
        assignTriggers();
    }

    /** Reads each file (either layout, see {@link TextualInversion}) for {@code textEncoder}. */
    public static TokenEmbeddings load(List<Path> files, CLIPTextModel textEncoder) {
        NDManager manager = NDManager.newBaseManager(textEncoder.tokenEmbedding().getDevice());
        try {
            List<TextualInversion> items = new ArrayList<>();
            for (Path f : files) {
                items.add(TextualInversion.load(f, textEncoder.config().hiddenSize(), manager));
            }
            NDArray rows = null;
            if (!items.isEmpty()) {
                NDList all = new NDList();
                items.forEach(t -> all.add(t.vectors()));
                rows = NDArrays.concat(all).toType(textEncoder.dtype(), false);
                rows.attach(manager);
            }
            return new TokenEmbeddings(items, manager, rows, textEncoder.config().vocabSize());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public List<TextualInversion> items() {
        return items;
    }

    /** What loading ignored (e.g. SDXL parts, triggers taken by an earlier file), one line each. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * Every trigger with its ids, the first vector at the vocabulary size. When two files share a trigger (e.g. the
     * same tokens in both formats) the earlier file keeps it and a note says so.
     */
    public List<AddedToken> tokens() {
        return List.copyOf(tokens);
    }

    private void assignTriggers() {
        Map<String, String> owner = new HashMap<>();
        int next = vocabSize;
        for (TextualInversion t : items) {
            for (AddedToken token : t.triggers(next)) {
                String before = owner.putIfAbsent(token.text(), t.name());
                if (before == null) {
                    tokens.add(token);
                } else {
                    notes.add("embedding '" + t.name() + "': '" + token.text() + "' already triggers '" + before
                            + "', which is used for it");
                }
            }
            next += t.vectorCount();
        }
    }

    /**
     * Installs the rows on {@code textEncoder} until the returned handle is closed; its tokenizer is {@code base}
     * with the triggers added.
     */
    public Attached attach(CLIPTextModel textEncoder, CLIPTokenizer base) {
        if (base.vocabSize() != vocabSize) {
            throw new IllegalArgumentException("the tokenizer has " + base.vocabSize() + " tokens, the text encoder "
                    + vocabSize);
        }
        CLIPTokenizer tokenizer = base.withAddedTokens(tokens);
        CLIPTextModel.AttachedTokens handle = rows == null ? () -> { } : textEncoder.attachTokens(rows);
        return new Attached(tokenizer, handle);
    }

    /** The tokenizer that knows the embeddings' triggers, valid while the rows are attached. */
    public record Attached(CLIPTokenizer tokenizer, CLIPTextModel.AttachedTokens handle) implements AutoCloseable {
        @Override
        public void close() {
            handle.close();
        }
    }

    /**
     * A1111's {@code TI hashes} for the embeddings {@code prompts} use: name → first 12 hex digits of the file's
     * SHA-256, in load order.
     */
    public Map<String, String> hashesUsedBy(CLIPTokenizer tokenizer, List<String> prompts) {
        Map<String, String> out = new LinkedHashMap<>();
        int next = tokenizer.vocabSize();
        for (TextualInversion t : items) {
            int from = next;
            int to = next + t.vectorCount();
            boolean used = prompts.stream().anyMatch(p -> {
                for (int id : tokenizer.encode(p)) {
                    if (id >= from && id < to) {
                        return true;
                    }
                }
                return false;
            });
            if (used) {
                out.put(t.name(), ai.booth.diffusion.pipeline.ModelHashes.sha256(t.file()).substring(0, 12));
            }
            next = to;
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
