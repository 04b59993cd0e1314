package ai.booth.gateway;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Base models: what trainings and generations can start from. */
@Path("/api/v1/models")
@Tag(name = "models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final BaseModels models;

    public ModelResource(BaseModels models) {
        this.models = models;
    }

    @GET
    @Operation(summary = "The installed base models", description = "Each with its id (baseModel in trainings and"
            + " generations) and its model.json manifest.")
    public List<BaseModel> list() {
        return models.list();
    }
}
