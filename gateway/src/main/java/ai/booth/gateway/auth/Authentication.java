package ai.booth.gateway.auth;

import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.ApiKey;
import ai.booth.keys.ApiKeyStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Every {@code /api/} call carries an API key, as {@code Authorization: Bearer bk_...} or {@code X-Api-Key: bk_...};
 * without a stored key the answer is 401. The key decides the owner of everything the call touches.
 */
@ApplicationScoped
public class Authentication {

    static final String API_KEY_HEADER = "X-Api-Key";

    private final ApiKeyStore keys;
    private final Caller caller;

    public Authentication(ApiKeyStore keys, Caller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public void authenticate(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return;
        }
        String text = credential(request).orElseThrow(() -> ProblemException.unauthorized(
                "send an API key as 'Authorization: Bearer bk_...' or '" + API_KEY_HEADER + ": bk_...'"));
        ApiKey key = keys.find(text).orElseThrow(() -> ProblemException.unauthorized(
                "the API key is not valid (unknown or revoked)"));
        caller.authenticate(key);
    }

    private static Optional<String> credential(ContainerRequestContext request) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).strip());
        }
        return Optional.ofNullable(request.getHeaderString(API_KEY_HEADER)).map(String::strip);
    }
}
