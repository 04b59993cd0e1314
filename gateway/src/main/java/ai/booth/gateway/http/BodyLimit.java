package ai.booth.gateway.http;

import ai.booth.gateway.GatewayConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Keeps request bodies small except where a resource streams its own limits: {@code quarkus.http.limits.max-body-size}
 * (600M) exists for photo uploads ({@code POST /api/v1/datasets}) and model installs ({@code POST /api/v1/models}),
 * which count every byte while it arrives. Every other body — JSON — is refused with 413 above
 * {@code booth.gateway.max-json-bytes} (1 MiB) before it is read, going by its Content-Length; a body that does not
 * say its length (chunked) there answers 411.
 */
@ApplicationScoped
public class BodyLimit {

    void install(@Observes Router router, GatewayConfig config) {
        long max = config.maxJsonBytes();
        router.route().order(-1000).handler(context -> check(context, max));
    }

    static boolean streamsItsOwnLimits(HttpServerRequest request) {
        String path = request.path();
        return request.method() == HttpMethod.POST && path != null
                && (path.equals("/api/v1/datasets") || path.equals("/api/v1/models"));
    }

    private static void check(RoutingContext context, long max) {
        HttpServerRequest request = context.request();
        if (streamsItsOwnLimits(request)) {
            context.next();
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
                refuse(context, 411, "Length Required", "length-required", "a request body here must state its"
                        + " Content-Length (at most " + max + " bytes)");
                return;
            }
            context.next();
            return;
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            refuse(context, 400, "Bad Request", "bad-request", "Content-Length is not a number: '" + length + "'");
            return;
        }
        if (bytes > max) {
            refuse(context, 413, "Payload too large", "too-large", "the request body is " + bytes
                    + " bytes; bodies other than uploads are limited to " + max + " bytes");
            return;
        }
        context.next();
    }

    private static void refuse(RoutingContext context, int status, String title, String type, String detail) {
        JsonObject problem = new JsonObject().put("type", "https://booth.ai/problems/" + type).put("title", title)
                .put("status", status).put("detail", detail).put("instance", context.request().path());
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close").end(problem.encode());
    }
}
