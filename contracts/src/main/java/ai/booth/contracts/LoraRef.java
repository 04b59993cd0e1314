package ai.booth.contracts;

/**
 * A LoRA adapter applied during generation, with separate strengths for the UNet and the text encoder.
 *
 * @param adapterKey        key in {@link Buckets#ADAPTERS}
 * @param unetScale         multiplier of the UNet LoRA delta (1 = as trained)
 * @param textEncoderScale  multiplier of the text-encoder LoRA delta
 */
public record LoraRef(String adapterKey, double unetScale, double textEncoderScale) {
}
