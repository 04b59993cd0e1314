package ai.booth.gateway.job;

import ai.booth.gateway.GatewayConfig;
import ai.booth.contracts.Event;
import ai.booth.keys.ApiKey;
import ai.booth.keys.ApiKeyStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Calls back {@code callbackUrl} when a job ends: dataset READY/REJECTED, training and generation COMPLETED/FAILED.
 * The terminal topics are read in one consumer group shared by every gateway replica, so each event is delivered
 * once, not once per replica. The POST body is JSON ({@code id, type, jobId, ownerId, occurredAt, timestamp,
 * payload}); {@code X-Booth-Signature: sha256=<hex HMAC-SHA256 of the body>} is keyed with the webhook secret of the
 * API key that created the job. Non-2xx answers and network errors are retried with exponential backoff on a
 * scheduler of its own, so a slow receiver never holds up event consumption. Delivery is at least once: an event is
 * acknowledged (and its offset committed) only when its delivery ended — delivered, given up after the last attempt,
 * refused, or nothing to call — so events whose delivery a crash or restart cut short are delivered again by
 * whichever replica reads their partition next; receivers dedupe by {@code X-Booth-Delivery} (the event id). While
 * a restarted gateway is still replaying its views ({@link ViewProgress}), looking up a job's callback waits for them
 * without counting. Every attempt first checks the URL
 * again with the {@link CallbackPolicy} (its host is resolved afresh and each address checked) and then connects to
 * the address it checked, with the URL's host as Host header and TLS server name: the receiver a job named at
 * request time cannot be moved to an internal address by a DNS answer that changes later. Redirects are not
 * followed.
 */
@ApplicationScoped
public class Webhooks {

    static final String SIGNATURE = "X-Booth-Signature";
    static final String TIMESTAMP = "X-Booth-Timestamp";
    static final String EVENT = "X-Booth-Event";
    static final String DELIVERY = "X-Booth-Delivery";
    private static final Logger LOG = Logger.getLogger(Webhooks.class);
    /** The job's view may lag behind this consumer (another consumer builds it): look again this often. */
    private static final int LOOKUPS = 20;
    private static final long LOOKUP_DELAY_MS = 250;

    private final Instance<JobRegistry<?>> registries;
    private final ApiKeyStore keys;
    private final GatewayConfig.Webhooks config;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final CallbackPolicy policy;
    private final ViewProgress progress;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "booth-webhooks");
        thread.setDaemon(true);
        return thread;
    });

    public Webhooks(@Any Instance<JobRegistry<?>> registries, ApiKeyStore keys, GatewayConfig config,
                    CallbackPolicy policy, ViewProgress progress, Vertx vertx) {
        this.registries = registries;
        this.keys = keys;
        this.config = config.webhooks();
        this.policy = policy;
        this.progress = progress;
        this.http = vertx.createHttpClient(new HttpClientOptions().setVerifyHost(true).setForceSni(true)
                .setConnectTimeout(5000).setMaxRedirects(0));
    }

    @Incoming("webhooks")
    CompletionStage<Void> onTerminal(Message<Event<?>> message) {
        Event<?> event = message.getPayload();
        if (event == null) { // unreadable record: dead-lettered with the reason (failure-strategy)
            return message.nack(new IllegalArgumentException("not a readable Booth event"));
        }
        scheduler.execute(() -> lookUp(event, 1, () -> message.ack()));
        return CompletableFuture.completedFuture(null); // acknowledged by `done`, once the delivery ended
    }

    private void lookUp(Event<?> event, int lookup, Runnable done) {
        Optional<JobMeta> meta = meta(event.correlationId());
        if (meta.isEmpty() && lookup < LOOKUPS) {
            int next = progress.replaying() ? lookup : lookup + 1;
            scheduler.schedule(() -> lookUp(event, next, done), LOOKUP_DELAY_MS, TimeUnit.MILLISECONDS);
            return;
        }
        Optional<JobMeta> callback = meta.filter(m -> m.callbackUrl() != null);
        if (callback.isEmpty()) {
            done.run();
            return;
        }
        JobMeta m = callback.get();
        Optional<ApiKey> key = keys.list().stream().filter(k -> k.id().equals(m.keyId())).findFirst();
        if (key.isEmpty()) {
            LOG.warnf("webhook for %s %s not sent: API key %s no longer exists", event.type(),
                    event.correlationId(), m.keyId());
            done.run();
            return;
        }
        deliver(event, URI.create(m.callbackUrl()), key.get().webhookSecret(), 1, done);
    }

    /** The job's meta once its request event has been seen (views built from a result alone have no key id). */
    private Optional<JobMeta> meta(String jobId) {
        return registries.stream().flatMap(registry -> registry.views().get(jobId).stream()).findFirst()
                .map(Views.Job::meta).filter(meta -> meta.keyId() != null);
    }

    private void deliver(Event<?> event, URI url, String secret, int attempt, Runnable done) {
        InetAddress address;
        try {
            address = policy.permitted(url).get(0);
        } catch (CallbackPolicy.Refused refused) {
            LOG.warnf("webhook %s %s to %s not sent: callbackUrl %s", event.type(), event.correlationId(), url,
                    refused.getMessage());
            done.run();
            return;
        }
        long timestamp = Instant.now().getEpochSecond();
        byte[] body = body(event, timestamp);
        boolean https = "https".equals(url.getScheme());
        int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress())) // pinned: no 2nd DNS
                .setHost(url.getHost().replaceAll("^\\[|\\]$", "")).setPort(port).setSsl(https).setURI(path)
                .setFollowRedirects(false).setIdleTimeout(config.timeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "Booth-Webhooks/1")
                .putHeader(SIGNATURE, "sha256=" + sign(secret, body))
                .putHeader(TIMESTAMP, String.valueOf(timestamp))
                .putHeader(EVENT, event.type())
                .putHeader(DELIVERY, event.eventId().toString());
        http.request(request)
                .compose(call -> call.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(result -> {
                    String outcome = result.failed() ? result.cause().toString() : "HTTP " + result.result();
                    if (result.succeeded() && result.result() / 100 == 2) {
                        LOG.infof("webhook %s %s delivered to %s (attempt %d)", event.type(), event.correlationId(),
                                url, attempt);
                        done.run();
                    } else if (attempt < config.attempts()) {
                        long wait = config.initialBackoff().toMillis() << (attempt - 1);
                        LOG.infof("webhook %s %s to %s failed (%s); attempt %d in %d ms", event.type(),
                                event.correlationId(), url, outcome, attempt + 1, wait);
                        scheduler.schedule(() -> deliver(event, url, secret, attempt + 1, done), wait,
                                TimeUnit.MILLISECONDS);
                    } else {
                        LOG.warnf("webhook %s %s to %s given up after %d attempts (%s)", event.type(),
                                event.correlationId(), url, attempt, outcome);
                        done.run();
                    }
                });
    }

    private byte[] body(Event<?> event, long timestamp) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", event.eventId());
        body.put("type", event.type());
        body.put("jobId", event.correlationId());
        body.put("ownerId", event.ownerId());
        body.put("occurredAt", event.occurredAt());
        body.put("timestamp", timestamp);
        body.put("payload", event.payload());
        try {
            return json.writeValueAsBytes(body);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write webhook body of " + event.type(), e);
        }
    }

    /** Hex HMAC-SHA256 of the body: what receivers recompute with their secret and compare. */
    static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
        http.close();
    }
}
