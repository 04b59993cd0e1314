package ai.booth.gateway.training;

import ai.booth.gateway.job.RequestedJobEndpoints;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.concurrent.CompletionStage;

/**
 * Trainings: a DreamBooth LoRA adapter, new tokens or a full fine-tune learned from a ready dataset. Create, list and get are every requested job's
 * ({@link RequestedJobEndpoints}); their OpenAPI texts, and those of its own, are in openapi-jobs.properties.
 */
@Path("/api/v1/trainings")
@Tag(name = "trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource extends RequestedJobEndpoints<TrainingSpec, TrainingView, TrainingService> {

    public TrainingResource(TrainingService trainings) {
        super(trainings);
    }

    @POST
    @Path("/{trainingId}/cancel")
    public CompletionStage<Response> cancel(@PathParam("trainingId") String trainingId) {
        return service().cancel(trainingId);
    }

    @GET
    @Path("/{trainingId}/model")
    public Response model(@PathParam("trainingId") String trainingId) {
        return Response.seeOther(service().modelDownload(trainingId)).build();
    }

    @GET
    @Path("/{trainingId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<TrainingView> events(@PathParam("trainingId") String trainingId) {
        return service().follow(trainingId);
    }
}
