package ai.booth.diffusion.runtime;

import ai.djl.pytorch.jni.JniUtils;

/**
 * {@code torch.no_grad()} for a block: PyTorch's grad mode is per thread and ON in every new thread (a service's
 * worker thread, say), where inference would record autograd state, skip the engine's in-place fast paths and take
 * other half-precision attention paths. Restores the mode it found. Needs the engine loaded (a model exists).
 */
public final class NoGrad implements AutoCloseable {

    private final boolean was;

    private NoGrad() {
        was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(was);
    }
}
