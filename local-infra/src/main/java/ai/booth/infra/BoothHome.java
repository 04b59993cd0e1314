package ai.booth.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the Booth checkout whose module builds the launcher and tests start. */
public final class BoothHome {

    /**
     * The repository root: system property {@code booth.home}, else env {@code BOOTH_HOME}, else the nearest
     * directory at or above the working directory that contains {@code local-infra/pom.xml}.
     */
    public static Path root() {
        String configured = System.getProperty("booth.home", System.getenv("BOOTH_HOME"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("local-infra/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Booth checkout above " + start
                + "; set -Dbooth.home or BOOTH_HOME to the repository root");
    }

    /** The java executable of the running JVM, used to start child JVMs with the same Java. */
    public static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private BoothHome() {
    }
}
