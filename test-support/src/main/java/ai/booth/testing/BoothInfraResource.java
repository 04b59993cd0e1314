package ai.booth.testing;

import ai.booth.infra.InfraProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts a real Kafka broker and S3 server (local-infra, in a child JVM on free ports, data in a temp directory) for
 * a {@code @QuarkusTest} and points the service at them. Use with {@code @WithTestResource(BoothInfraResource.class)}.
 */
public class BoothInfraResource implements QuarkusTestResourceLifecycleManager {

    private Path dataDir;
    private InfraProcess infra;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("booth-infra-");
            infra = InfraProcess.start(InfraProcess.Settings.ephemeral(dataDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting local infrastructure", e);
        }
        return Map.of(
                "kafka.bootstrap.servers", infra.kafkaBootstrap(),
                "booth.s3.endpoint", infra.s3Endpoint(),
                "booth.s3.access-key", infra.settings().accessKey(),
                "booth.s3.secret-key", infra.settings().secretKey());
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a leftover temp directory is not worth failing a test run for
            }
        }
    }
}
