package ai.booth.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Private temporary folders of uploads being received. */
final class TempFolders {

    /** Deletes the folder and everything in it; a leftover temp file is not worth failing a request for. */
    static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // best effort, see above
        }
    }

    private TempFolders() {
    }
}
