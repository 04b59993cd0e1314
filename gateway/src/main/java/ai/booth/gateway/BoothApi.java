package ai.booth.gateway;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The OpenAPI document's frame: every /api/ call is authorised by an API key sent as a bearer token. */
@OpenAPIDefinition(info = @Info(title = "Booth API", version = "1.0.0", description = "Upload photos of a subject,"
        + " train a DreamBooth LoRA adapter, generate images. Errors are application/problem+json (RFC 9457)."),
        security = @SecurityRequirement(name = BoothApi.API_KEY))
@SecurityScheme(securitySchemeName = BoothApi.API_KEY, type = SecuritySchemeType.HTTP, scheme = "bearer",
        bearerFormat = "bk_...", description = "An API key (./booth key create --owner NAME), as 'Authorization:"
        + " Bearer bk_...'; 'X-Api-Key: bk_...' works too. The key decides the owner of everything.")
public class BoothApi extends Application {

    static final String API_KEY = "apiKey";
}
