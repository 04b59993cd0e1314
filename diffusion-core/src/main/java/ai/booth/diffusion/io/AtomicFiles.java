package ai.booth.diffusion.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Writes a file so that readers see either the old file or the complete new one: the data goes to a hidden sibling
 * that is renamed into place only when complete, and is deleted when writing fails. The sibling is created with the
 * process's default permissions (unlike {@link Files#createTempFile}'s owner-only ones), so outputs are as readable
 * as any other file the user creates.
 */
public final class AtomicFiles {

    /** Writes the content to the given temporary path. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(Path tmp) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path file, Writer writer) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".part");
        Files.createFile(tmp);
        try {
            writer.writeTo(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
