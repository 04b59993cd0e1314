package ai.booth.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the Booth checkout whose module builds the launcher and tests start. */
public final class BoothHome {

    /**
     * The repository root: the nearest directory containing {@code local-infra/pom.xml} at or above system property
     * {@code booth.home}, else env {@code BOOTH_HOME}, else the working directory (Maven may set booth.home to a
     * module directory when it is run inside one).
     */
    public static Path root() {
        String configured = System.getProperty("booth.home", System.getenv("BOOTH_HOME"));
        Path start = (configured == null || configured.isBlank() ? Path.of("") : Path.of(configured))
                .toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("local-infra/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Booth checkout at or above " + start
                + "; set -Dbooth.home or BOOTH_HOME to the repository root");
    }

    /** The java executable of the running JVM, used to start child JVMs with the same Java. */
    public static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private BoothHome() {
    }
}
