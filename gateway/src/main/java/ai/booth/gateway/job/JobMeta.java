package ai.booth.gateway.job;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * What the gateway remembers about a job beyond its event: which API key created it (its webhook secret signs the
 * callbacks), where to call back, and the hash of the request body (idempotency). Travels as Kafka record headers of
 * the request event, so a restarted gateway, or another replica, rebuilds it with the view; other publishers of
 * request events simply send none.
 *
 * @param keyId        id of the API key that created the job, or null
 * @param callbackUrl  where terminal events are POSTed, or null
 * @param requestHash  SHA-256 of the request as sent, or null
 */
public record JobMeta(String keyId, String callbackUrl, String requestHash) {

    public static final JobMeta NONE = new JobMeta(null, null, null);
    private static final String KEY_ID = "booth-key-id";
    private static final String CALLBACK = "booth-callback-url";
    private static final String HASH = "booth-request-hash";

    public Headers toHeaders() {
        RecordHeaders headers = new RecordHeaders();
        add(headers, KEY_ID, keyId);
        add(headers, CALLBACK, callbackUrl);
        add(headers, HASH, requestHash);
        return headers;
    }

    public static JobMeta from(Headers headers) {
        return new JobMeta(read(headers, KEY_ID), read(headers, CALLBACK), read(headers, HASH));
    }

    private static void add(Headers headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String read(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
