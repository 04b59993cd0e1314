package ai.booth.gateway.http;

import ai.booth.diffusion.io.FileTrees;

import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Private temporary folders of uploads being received. */
public final class TempFolders {

    /** Deletes the folder and everything in it; a leftover temp file is not worth failing a request for. */
    public static void delete(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (UncheckedIOException e) {
            // best effort, see above
        }
    }

    private TempFolders() {
    }
}
