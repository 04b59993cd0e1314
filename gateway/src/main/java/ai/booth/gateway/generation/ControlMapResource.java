package ai.booth.gateway.generation;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Control maps: what a ControlNet unit's preprocessor makes of its image, to look at before generating. */
@Path("/api/v1/control-maps")
@Tag(name = "generations")
public class ControlMapResource {

    private final ControlMaps maps;

    public ControlMapResource(ControlMaps maps) {
        this.maps = maps;
    }

    @POST
    @Path("/canny")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces("image/png")
    @Operation(summary = "The canny map of a control image", description = "Edges as a generation with"
            + " preprocessor canny and these thresholds would feed its ControlNet (OpenCV's Canny, at the given output"
            + " size), as a PNG. Costs one rate-limit token.")
    @APIResponse(responseCode = "200", description = "the map, white edges on black")
    @APIResponse(responseCode = "400", description = "a field is invalid; each is named")
    @APIResponse(responseCode = "429", description = "rate limit exceeded; see Retry-After")
    public byte[] canny(ControlMapSpec spec) {
        return maps.canny(spec);
    }
}
