package ai.booth.gateway.auth;

import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.ApiKey;
import jakarta.enterprise.context.RequestScoped;

/** Who is calling: the API key of the request, set by {@link Authentication}. The owner comes only from it. */
@RequestScoped
public class Caller {

    private ApiKey key;

    void authenticate(ApiKey key) {
        this.key = key;
    }

    public ApiKey key() {
        if (key == null) {
            throw ProblemException.unauthorized("no API key");
        }
        return key;
    }

    public String ownerId() {
        return key().ownerId();
    }
}
