package ai.booth.service;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.GenerationCompleted;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * {@code generations/<owner>/<generationId>/result.json}: the GenerationCompleted payload, written by the sampler
 * after every image of the request. Its presence means the generation is complete: a duplicate request is answered
 * from it, and the trainer reuses a set of class images through it without asking the sampler again.
 */
public final class GenerationResults {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private GenerationResults() {
    }

    /** The stored result of a finished generation, or empty when it has not finished (or never ran). */
    public static Optional<GenerationCompleted> read(ObjectStore store, String ownerId, String generationId) {
        String key = Buckets.generationResultKey(ownerId, generationId);
        if (!store.exists(Buckets.GENERATIONS, key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(store.get(Buckets.GENERATIONS, key), GenerationCompleted.class));
        } catch (IOException e) {
            throw new IllegalStateException("s3://" + Buckets.GENERATIONS + "/" + key + " is not a GenerationCompleted: "
                    + e.getMessage(), e);
        }
    }

    /** Stores the result; call it after every image is stored. */
    public static void write(ObjectStore store, String ownerId, GenerationCompleted result) {
        try {
            store.put(Buckets.GENERATIONS, Buckets.generationResultKey(ownerId, result.generationId()),
                    JSON.writeValueAsBytes(result), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
