package ai.booth.diffusion.train;

import java.nio.file.Path;

/**
 * What a training run left behind.
 *
 * @param peftFile       the adapter in diffusers/PEFT layout (null if the run was cancelled)
 * @param kohyaFile      the adapter in kohya/A1111 layout (null if cancelled)
 * @param metadataFile   {@code metadata.json}: base model, hyper-parameters, dataset, steps, loss, timings (null if
 *                       cancelled)
 * @param lastCheckpoint the newest checkpoint written (null if none)
 * @param steps          optimizer steps done
 * @param finalLoss      loss of the last step
 * @param cancelled      whether the run stopped early on request (a checkpoint is written to resume from)
 */
public record TrainingResult(Path peftFile, Path kohyaFile, Path metadataFile, Path lastCheckpoint, int steps,
                             float finalLoss, boolean cancelled) {
}
