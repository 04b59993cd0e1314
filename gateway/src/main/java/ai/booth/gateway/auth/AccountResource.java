package ai.booth.gateway.auth;

import ai.booth.gateway.GatewayConfig;
import ai.booth.keys.ApiKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's own account: a cheap way to check a key (the web client signs in with it). */
@Path("/api/v1/me")
@Tag(name = "account")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    private final Caller caller;
    private final GatewayConfig config;

    public AccountResource(Caller caller, GatewayConfig config) {
        this.caller = caller;
        this.config = config;
    }

    @GET
    @Operation(summary = "The owner, key and rate limits of the API key of this request, and its webhook secret")
    public Account me() {
        ApiKey key = caller.key();
        GatewayConfig.RateTier tier = config.rateLimits().get(key.tier());
        return new Account(key.ownerId(), key.id(), key.name(), key.created(), key.tier(),
                tier == null ? 0 : tier.burst(), tier == null ? 0 : tier.perMinute(),
                tier == null ? 0 : tier.activeJobs(), key.webhookSecret());
    }
}
