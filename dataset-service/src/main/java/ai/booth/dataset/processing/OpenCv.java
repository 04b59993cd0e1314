package ai.booth.dataset.processing;

import org.opencv.core.Core;

/** Loads OpenCV's natives (shipped in the org.openpnp:opencv jar) once per JVM. */
public final class OpenCv {

    private static boolean loaded;

    public static synchronized void load() {
        if (!loaded) {
            nu.pattern.OpenCV.loadLocally();
            // Booth runs one image per core itself; OpenCV's own worker threads would only compete with that.
            Core.setNumThreads(1);
            loaded = true;
        }
    }

    private OpenCv() {
    }
}
