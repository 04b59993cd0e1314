package ai.booth.gateway.evaluation;

import ai.booth.contracts.EvalScores;
import ai.booth.contracts.EvaluationCompleted;
import ai.booth.contracts.EvaluationFailed;
import ai.booth.contracts.EvaluationRequested;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.job.Views;
import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;

/**
 * An evaluation as the API shows it.
 *
 * @param evaluationId id of the request
 * @param ownerId      the owner it belongs to
 * @param status       REQUESTED, COMPLETED or FAILED
 * @param createdAt    when it was requested
 * @param request      what is scored: each generated image with its prompt, the real images, the tokens removed
 * @param scores       DINO, CLIP-I and CLIP-T, once COMPLETED
 * @param diversity    DIV among images of one prompt, once COMPLETED, when a prompt has two images or more
 * @param failure      the reason, once FAILED
 * @param callbackUrl  where its result is POSTed, if given
 * @param meta         creating key and request hash (not shown)
 */
public record EvaluationView(String evaluationId, String ownerId, JobStatus status, Instant createdAt,
                             EvaluationRequested request, EvalScores scores, Double diversity,
                             EvaluationFailed failure, String callbackUrl, @JsonIgnore JobMeta meta)
        implements Views.Job {

    static EvaluationView unknown(String evaluationId, String ownerId, Instant createdAt) {
        return new EvaluationView(evaluationId, ownerId, JobStatus.REQUESTED, createdAt, null, null, null, null,
                null, JobMeta.NONE);
    }

    @Override
    public String id() {
        return evaluationId;
    }

    EvaluationView requested(Instant at, EvaluationRequested asked, JobMeta given) {
        return new EvaluationView(evaluationId, ownerId, status, at, asked, scores, diversity, failure,
                given.callbackUrl(), given);
    }

    EvaluationView completed(EvaluationCompleted done) {
        return new EvaluationView(evaluationId, ownerId, JobStatus.COMPLETED, createdAt, request, done.scores(),
                done.diversity(), null, callbackUrl, meta);
    }

    EvaluationView failed(EvaluationFailed why) {
        return new EvaluationView(evaluationId, ownerId, JobStatus.FAILED, createdAt, request, null, null, why,
                callbackUrl, meta);
    }

    @Override
    public boolean finished() {
        return status.finished();
    }
}
