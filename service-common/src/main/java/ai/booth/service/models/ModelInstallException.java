package ai.booth.service.models;

/** A model cannot be installed; the message names the model id, the source and why (nothing was stored). */
public class ModelInstallException extends RuntimeException {

    public ModelInstallException(String message) {
        super(message);
    }

    public ModelInstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
