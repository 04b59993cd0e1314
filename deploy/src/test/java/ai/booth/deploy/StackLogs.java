package ai.booth.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Keeps a test stack's logs under {@code target/stack-logs/<test>} once its temporary data folder is gone. */
final class StackLogs {

    private StackLogs() {
    }

    static void keep(StackSettings settings, Class<?> test) {
        Path from = settings.dataDir().resolve("logs");
        Path to = Path.of("target", "stack-logs", test.getSimpleName());
        try (Stream<Path> logs = Files.exists(from) ? Files.list(from) : Stream.empty()) {
            Files.createDirectories(to);
            for (Path log : (Iterable<Path>) logs::iterator) {
                Files.copy(log, to.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the logs of " + test.getSimpleName(), e);
        }
    }
}
