package ai.booth.gateway.auth;

import ai.booth.gateway.GatewayConfig;
import ai.booth.keys.ApiKeyStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one API key store of the gateway: {@code booth.gateway.keys-file}, re-read whenever it changes. */
public class ApiKeys {

    @Produces
    @Singleton
    ApiKeyStore store(GatewayConfig config) {
        return new ApiKeyStore(config.keysFile());
    }
}
