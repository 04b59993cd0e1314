package ai.booth.gateway.job;

import ai.booth.gateway.Api;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationRequested;
import ai.booth.keys.ApiKey;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static ai.booth.gateway.Api.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Webhooks against a real HTTP receiver that fails twice, then accepts; every delivery's signature is checked. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class WebhookTest {

    private record Delivery(Map<String, List<String>> headers, byte[] body, int answered) {
    }

    @Inject
    ObjectStore store;

    private HttpServer receiver;
    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = calls.incrementAndGet() <= 2 ? 500 + calls.get() - 1 : 204; // 500, 501, then 204
            deliveries.add(new Delivery(exchange.getRequestHeaders(), body, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void aFinishedGenerationIsCalledBackSignedAndRetriedUntilAccepted() throws Exception {
        Api.installModel(store);
        String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        try (EventProbe probe = EventProbe.forApplication()) {
            String generationId = Api.as("wanda").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"prompt\":\"a photo of a dog\",\"callbackUrl\":\""
                            + callback + "\"}")
                    .post("/api/v1/generations").then().statusCode(202).extract().path("generationId");
            Event<GenerationRequested> requested = probe.await(GenerationRequested.class, generationId, WAIT);
            Event<GenerationCompleted> completed = requested.next(new GenerationCompleted(generationId,
                    List.of(new GeneratedImage("wanda/" + generationId + "/0.png", 1, 5)), null, 10, null));
            probe.publish(completed);

            ApiKey key = Api.key("wanda");
            ObjectMapper json = new ObjectMapper();
            for (int attempt = 1; attempt <= 3; attempt++) {
                Delivery delivery = deliveries.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertNotNull(delivery, "delivery " + attempt);
                assertEquals("sha256=" + hmac(key.webhookSecret(), delivery.body()),
                        delivery.headers().get("X-booth-signature").get(0), "signed with the key's secret");
                JsonNode body = json.readTree(delivery.body());
                assertEquals("GenerationCompleted", body.path("type").asText());
                assertEquals(generationId, body.path("jobId").asText());
                assertEquals(completed.eventId().toString(), body.path("id").asText());
                assertEquals(body.path("timestamp").asText(), delivery.headers().get("X-booth-timestamp").get(0));
                assertEquals("wanda/" + generationId + "/0.png",
                        body.path("payload").path("images").get(0).path("key").asText());
            }
            assertNull(deliveries.poll(2, TimeUnit.SECONDS), "no delivery after the receiver accepted");
        }
    }

    /** What a receiver does: HMAC-SHA256 of the raw body with the webhook secret, hex. */
    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
