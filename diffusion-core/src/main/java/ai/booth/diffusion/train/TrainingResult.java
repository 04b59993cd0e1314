package ai.booth.diffusion.train;

import java.nio.file.Path;
import java.util.List;

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
 * @param embeddingFiles the learned token embeddings, A1111 file then kohya/diffusers file (empty without new
 *                       tokens or if cancelled); peftFile and kohyaFile are null in textual-inversion mode
 * @param modelFolder    a full fine-tune's model as a diffusers folder (null otherwise, or when the base model has no
 *                       config folder to copy)
 * @param modelFile      a full fine-tune's model as one A1111 / civitai {@code .safetensors} (null otherwise, or for
 *                       an OpenCLIP text encoder)
 */
public record TrainingResult(Path peftFile, Path kohyaFile, Path metadataFile, Path lastCheckpoint, int steps,
                             float finalLoss, boolean cancelled, List<Path> embeddingFiles, Path modelFolder,
                             Path modelFile) {

    public TrainingResult {
        embeddingFiles = embeddingFiles == null ? List.of() : List.copyOf(embeddingFiles);
    }

    /** A result without a full fine-tune's model. */
    public TrainingResult(Path peftFile, Path kohyaFile, Path metadataFile, Path lastCheckpoint, int steps,
                          float finalLoss, boolean cancelled, List<Path> embeddingFiles) {
        this(peftFile, kohyaFile, metadataFile, lastCheckpoint, steps, finalLoss, cancelled, embeddingFiles, null, null);
    }

    /** A result without embeddings. */
    public TrainingResult(Path peftFile, Path kohyaFile, Path metadataFile, Path lastCheckpoint, int steps,
                          float finalLoss, boolean cancelled) {
        this(peftFile, kohyaFile, metadataFile, lastCheckpoint, steps, finalLoss, cancelled, List.of());
    }
}
