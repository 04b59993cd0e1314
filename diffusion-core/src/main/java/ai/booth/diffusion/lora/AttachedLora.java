package ai.booth.diffusion.lora;

import ai.booth.diffusion.nn.LoraBranch;
import ai.booth.diffusion.nn.LoraTarget;

import java.util.ArrayList;

import java.util.List;

/**
 * An adapter attached to a model. Scales change per request without touching any weight; closing detaches it.
 * Scales are state of the model, so requests with different scales on one model must take turns.
 */
public final class AttachedLora implements AutoCloseable {

    private final LoraAdapter adapter;
    /** One branch on one layer. */
    record Attachment(LoraComponent component, LoraTarget target, LoraBranch branch) { }

    private final List<Attachment> attachments;
    private float unetScale;
    private float textEncoderScale;

    AttachedLora(LoraAdapter adapter, List<Attachment> attachments, float unetScale, float textEncoderScale) {
        this.adapter = adapter;
        this.attachments = new ArrayList<>(attachments);
        this.unetScale = unetScale;
        this.textEncoderScale = textEncoderScale;
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    public synchronized float unetScale() {
        return unetScale;
    }

    public synchronized float textEncoderScale() {
        return textEncoderScale;
    }

    public synchronized void setScales(float unet, float textEncoder) {
        this.unetScale = unet;
        this.textEncoderScale = textEncoder;
        for (Attachment a : attachments) {
            a.branch().setScale(a.component() == LoraComponent.UNET ? unet : textEncoder);
        }
    }

    /** Detaches from the model; the adapter itself stays loaded. */
    @Override
    public synchronized void close() {
        attachments.forEach(a -> {
            a.target().removeLora(a.branch());
            a.branch().releaseViews();
        });
        attachments.clear();
    }
}
