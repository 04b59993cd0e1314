package ai.booth.gateway.experiment;

import ai.booth.contracts.EvalScores;
import ai.booth.contracts.ExperimentRequested;
import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.job.Views;
import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.List;

/**
 * An experiment as the API shows it: what was asked, and a row per variant (and one for the base model) gathered
 * from its training, render and evaluation when shown.
 *
 * @param experimentId id of the request
 * @param ownerId      the owner it belongs to
 * @param status       REQUESTED, RUNNING once a training runs, COMPLETED when every row's render is done and
 *                     scored (or its evaluation failed: no encoders installed), FAILED when a training or render
 *                     failed
 * @param createdAt    when it was requested
 * @param request      what was asked, each variant's training with its defaults applied
 * @param rows         the base model's row first, then one per variant: the table and the contact sheet
 * @param meta         creating key and request hash (not shown)
 */
public record ExperimentView(String experimentId, String ownerId, JobStatus status, Instant createdAt,
                             ExperimentRequested request, List<Row> rows, @JsonIgnore JobMeta meta)
        implements Views.Job {

    static ExperimentView unknown(String experimentId, String ownerId, Instant createdAt) {
        return new ExperimentView(experimentId, ownerId, JobStatus.REQUESTED, createdAt, null, List.of(),
                JobMeta.NONE);
    }

    @Override
    public String id() {
        return experimentId;
    }

    ExperimentView requested(Instant at, ExperimentRequested asked, JobMeta given) {
        return new ExperimentView(experimentId, ownerId, status, at, asked, rows, given);
    }

    ExperimentView shown(JobStatus now, List<Row> gathered) {
        return new ExperimentView(experimentId, ownerId, now, createdAt, request, gathered, meta);
    }

    /** Always: an experiment holds no worker itself; its trainings and renders count as jobs of their own. */
    @Override
    public boolean finished() {
        return true;
    }

    /**
     * One row of the table and the sheet.
     *
     * @param label          the variant's label, or "base model"
     * @param trainingId     its training (none for the base model)
     * @param mode           lora, full, pivotal or textual_inversion (none for the base model)
     * @param rank           LoRA rank (LoRA modes)
     * @param trainingStatus where its training is
     * @param percent        how far its training is
     * @param steps          optimizer steps done, once trained
     * @param durationMillis wall time of the training
     * @param stepsPerSecond optimizer steps per second of wall time
     * @param finalLoss      smoothed loss at the end
     * @param generationId   its render: the prompts (columns) by the seeds (rows)
     * @param renderStatus   where its render is
     * @param sheet          the render's grid image
     * @param images         the render's cells, row-major (prompts vary fastest)
     * @param scores         DINO, CLIP-I and CLIP-T of the render against the dataset's photos
     * @param diversity      DIV among each prompt's images, with two seeds or more
     * @param failure        why its training, render or evaluation failed
     */
    public record Row(String label, String trainingId, String mode, Integer rank, JobStatus trainingStatus,
                      Double percent, Integer steps, Long durationMillis, Double stepsPerSecond, Double finalLoss,
                      String generationId, JobStatus renderStatus, ImageLink sheet, List<ImageLink> images,
                      EvalScores scores, Double diversity, String failure) {
    }
}
