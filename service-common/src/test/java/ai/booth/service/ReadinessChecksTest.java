package ai.booth.service;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Optional;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The readiness checks really reach out: with nothing listening they report DOWN, with the reason. */
class ReadinessChecksTest {

    @Test
    void s3IsDownWhenNothingListens() throws IOException {
        String endpoint = "http://127.0.0.1:" + closedPort();
        S3Config config = new S3Config() {
            public String endpoint() {
                return endpoint;
            }

            public String accessKey() {
                return "k";
            }

            public String secretKey() {
                return "s";
            }

            public String region() {
                return "us-east-1";
            }

            public Optional<String> publicEndpoint() {
                return Optional.empty();
            }
        };
        var store = new ObjectStore(new MinioClientProducer().minioClient(config));
        HealthCheckResponse response = new S3ReadinessCheck(store, config).call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertTrue(response.getData().orElseThrow().containsKey("error"), response.getData().toString());
        assertTrue(!response.getData().orElseThrow().toString().contains("127.0.0.1")
                && !response.getData().orElseThrow().toString().contains(endpoint.substring(17)),
                "health details must not show internal addresses: " + response.getData());
    }

    @Test
    void kafkaIsDownWhenNothingListens() throws IOException {
        int port = closedPort();
        KafkaAdmin admin = new KafkaAdmin("127.0.0.1:" + port);
        KafkaReadinessCheck check = new KafkaReadinessCheck(admin);
        try {
            long start = System.nanoTime();
            HealthCheckResponse response = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
            assertTrue(response.getData().orElseThrow().containsKey("error"), response.getData().toString());
            assertTrue(!response.getData().orElseThrow().toString().contains("127.0.0.1")
                    && !response.getData().orElseThrow().toString().contains(String.valueOf(port)),
                    "health details must not show internal addresses: " + response.getData());
            assertTrue(System.nanoTime() - start < 15_000_000_000L, "the check must time out quickly");
        } finally {
            admin.close();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
