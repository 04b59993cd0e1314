package ai.booth.diffusion.clip;

/**
 * What one CLIP encoder layer needs; the text and the vision tower share the layer code (transformers'
 * CLIPEncoderLayer) and differ only in embeddings and pooling.
 */
public interface CLIPEncoderConfig {

    int hiddenSize();

    int intermediateSize();

    int numAttentionHeads();

    int numHiddenLayers();

    String hiddenAct();

    double layerNormEps();

    default int headDim() {
        return hiddenSize() / numAttentionHeads();
    }
}
