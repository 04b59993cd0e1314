package ai.booth.gateway.training;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A trained adapter: the LoRA and/or new token embeddings of a COMPLETED training (not a full fine-tune).
 *
 * @param trainingId      the training that made it; name it in generations' {@code loras}
 * @param baseModel       the base model it adapts
 * @param instancePrompt  the prompt it binds the subject to, e.g. a photo of sks dog
 * @param rank            LoRA rank
 * @param alpha           LoRA alpha
 * @param steps           optimizer steps trained
 * @param finalLoss       smoothed loss at the end
 * @param createdAt       when the training was requested
 * @param adapterKey      its key in the adapters bucket
 * @param downloads       per layout (peft, kohya; embedding, embedding_kohya with new tokens) the gateway URL that
 *                        redirects to a presigned download
 * @param mode            lora, pivotal (new tokens and a LoRA) or textual_inversion (new tokens only: no LoRA file;
 *                        name it in a generation's embeddings)
 * @param tokens          the new tokens it learned, which prompts name; empty for a plain LoRA
 */
public record Adapter(String trainingId, String baseModel, String instancePrompt, Integer rank, Double alpha,
                      int steps, double finalLoss, Instant createdAt, String adapterKey,
                      Map<String, String> downloads, String mode, List<String> tokens) {
}
