package ai.booth.gateway.model;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.http.Checks;
import ai.booth.contracts.Buckets;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Prompt length in CLIP tokens, with the base model's own tokenizer ({@code <model>/tokenizer/} in the models
 * bucket, loaded once per installed model and kept for the {@code booth.gateway.tokenizer-cache} most recently used
 * models). Only a {@link BaseModel} found installed can be asked for, so a request naming an unknown model (of any
 * length) never reaches the cache or S3. The text encoder reads 75 tokens between its start and end tokens and silently
 * drops the rest, so longer prompts are refused rather than cut. Models without a tokenizer folder get only the
 * character limit.
 */
@ApplicationScoped
public class PromptLength {

    public static final int MAX_CHARACTERS = 1000;
    private static final Logger LOG = Logger.getLogger(PromptLength.class);
    private static final String[] FILES = {"vocab.json", "merges.txt", "tokenizer_config.json",
            "special_tokens_map.json"};

    private final ObjectStore store;
    private final LruCache<String, Optional<CLIPTokenizer>> tokenizers;

    public PromptLength(ObjectStore store, GatewayConfig config) {
        this.store = store;
        this.tokenizers = new LruCache<>(config.tokenizerCache());
    }

    /** Checks one prompt field against the character limit and the model's token limit. */
    public void check(Checks checks, String field, String prompt, Optional<BaseModel> baseModel) {
        if (prompt == null) {
            return;
        }
        if (prompt.length() > MAX_CHARACTERS) {
            checks.length(field, prompt, MAX_CHARACTERS);
            return;
        }
        Optional<CLIPTokenizer> tokenizer = baseModel.flatMap(model -> tokenizer(model.id()));
        tokenizer.ifPresent(t -> {
            int tokens = t.tokenCount(prompt);
            if (tokens > t.maxTextTokens()) {
                checks.fail(field, "is " + tokens + " CLIP tokens; the text encoder reads at most "
                        + t.maxTextTokens());
            }
        });
    }

    /** The base model ids whose tokenizer (or its absence) is cached, least recently used first. */
    public List<String> cachedModelIds() {
        return tokenizers.keys();
    }

    private Optional<CLIPTokenizer> tokenizer(String baseModel) {
        return tokenizers.get(baseModel, this::load);
    }

    private Optional<CLIPTokenizer> load(String baseModel) {
        String prefix = Buckets.modelPrefix(baseModel) + "tokenizer/";
        if (!store.exists(Buckets.MODELS, prefix + FILES[0])) {
            return Optional.empty();
        }
        try {
            Path dir = Files.createTempDirectory("booth-tokenizer-");
            try {
                for (String file : FILES) {
                    if (store.exists(Buckets.MODELS, prefix + file)) {
                        Files.write(dir.resolve(file), store.get(Buckets.MODELS, prefix + file));
                    }
                }
                return Optional.of(CLIPTokenizer.fromFolder(dir));
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of base model " + baseModel, e);
        } catch (RuntimeException e) {
            LOG.warnf("base model %s has an unreadable tokenizer (%s); prompts are checked by length only",
                    baseModel, e.getMessage());
            return Optional.empty();
        }
    }
}
