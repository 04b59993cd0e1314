package ai.booth.diffusion.io;

/** A safetensors file that is malformed or lacks what was asked of it; the message names file and tensor. */
public class SafeTensorsException extends RuntimeException {
    public SafeTensorsException(String message) {
        super(message);
    }

    public SafeTensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
