package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.Payload;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.EventMessages;
import ai.booth.service.GenerationResults;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Class images for prior preservation, made by the sampler and cached by content. A set is identified by
 * {@code class-<sha256(base model hash|class prompt|negative prompt|seed|count|width x height)>} and lives under
 * {@code generations/booth-system/<that id>/} with the sampler's {@code result.json} written last: a job whose set
 * exists reuses it without asking; otherwise it publishes an ordinary {@link GenerationRequested} with that id (owner
 * {@value Buckets#SYSTEM_OWNER}) and waits for the answer.
 */
@ApplicationScoped
public class ClassImages {

    private static final Logger LOG = Logger.getLogger(ClassImages.class);
    private static final long POLL_MILLIS = 2000;

    private final ObjectStore store;
    private final ClassImageAnswers answers;
    private final Emitter<Event<?>> requests;
    private final TrainerConfig.Sampling sampling;

    public ClassImages(ObjectStore store, ClassImageAnswers answers, TrainerConfig config,
                       @Channel(Topics.GENERATION_REQUESTED) Emitter<Event<?>> requests) {
        this.store = store;
        this.answers = answers;
        this.requests = requests;
        this.sampling = config.sampling();
    }

    /** The generation id of a class-image set (the content key shared with the sampler). */
    static String generationId(String modelHash, String classPrompt, String negativePrompt, long seed, int count,
                               int width, int height) {
        String content = String.join("|", modelHash, classPrompt, negativePrompt == null ? "" : negativePrompt,
                Long.toString(seed), Integer.toString(count), width + "x" + height);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return "class-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Puts the job's class images into {@code dir}, reusing a stored set or asking the sampler for one.
     *
     * @param cancelled stops the wait (the job was cancelled or the worker is stopping)
     * @return the generation id of the set
     */
    String fetch(TrainingRequested request, String modelHash, Path dir, BooleanSupplier cancelled) {
        int size = request.resolution();
        String id = generationId(modelHash, request.classPrompt(), null, request.seed(), request.classImageCount(),
                size, size);
        GenerationCompleted done = GenerationResults.read(store, Buckets.SYSTEM_OWNER, id).orElse(null);
        if (done == null) {
            done = request(new GenerationRequested(id, request.baseModel(), request.classPrompt(), null,
                    sampling.steps(), sampling.guidanceScale(), request.seed(), request.classImageCount(), size, size,
                    sampling.scheduler(), 0, List.of(), null), cancelled);
        } else {
            LOG.infof("training %s reuses class images %s", request.trainingId(), id);
        }
        download(done, dir);
        return id;
    }

    private GenerationCompleted request(GenerationRequested request, BooleanSupplier cancelled) {
        var answer = answers.expect(request.generationId());
        try {
            EventMessages.send(requests, Event.of(request.generationId(), Buckets.SYSTEM_OWNER, request))
                    .toCompletableFuture().join();
            long deadline = System.nanoTime() + sampling.classImageTimeout().toNanos();
            while (true) {
                try {
                    Payload payload = answer.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    if (payload instanceof GenerationFailed failed) {
                        throw new JobFailure("CLASS_IMAGES_FAILED", "the sampler could not render the class images ("
                                + failed.code() + "): " + failed.message());
                    }
                    return (GenerationCompleted) payload;
                } catch (TimeoutException e) {
                    var stored = GenerationResults.read(store, Buckets.SYSTEM_OWNER, request.generationId());
                    if (stored.isPresent()) { // answered before this worker listened
                        return stored.get();
                    }
                }
                if (cancelled.getAsBoolean()) {
                    throw new JobStopped();
                }
                if (System.nanoTime() > deadline) {
                    throw new JobFailure("CLASS_IMAGES_TIMEOUT", "no class images from the sampler for generation "
                            + request.generationId() + " within " + sampling.classImageTimeout()
                            + " (is sampler-service running?)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobStopped();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            answers.forget(request.generationId());
        }
    }

    private void download(GenerationCompleted done, Path dir) {
        try {
            Files.createDirectories(dir);
            for (GeneratedImage image : done.images()) {
                String name = String.format("class-%05d-%d.png", done.images().indexOf(image), image.seed());
                store.download(Buckets.GENERATIONS, image.key(), dir.resolve(name), Long.MAX_VALUE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write class images to " + dir, e);
        }
    }
}
