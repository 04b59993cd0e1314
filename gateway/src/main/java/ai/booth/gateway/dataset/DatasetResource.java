package ai.booth.gateway.dataset;

import ai.booth.gateway.job.JobEndpoints;
import ai.booth.gateway.job.Idempotency;
import ai.booth.contracts.DatasetReport;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletionStage;

/**
 * Datasets: photos of one subject, uploaded for training. List and get are every job's ({@link JobEndpoints}); their
 * OpenAPI texts, and those of its own, are in openapi-jobs.properties.
 */
@Path("/api/v1/datasets")
@Tag(name = "datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource extends JobEndpoints<DatasetView, DatasetService> {

    public DatasetResource(DatasetService datasets) {
        super(datasets);
    }

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @RequestBody(content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = UploadForm.class)))
    public CompletionStage<Response> create(@HeaderParam(Idempotency.HEADER) String idempotencyKey,
                                            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                            InputStream body) throws IOException {
        return service().upload(idempotencyKey, contentType, body);
    }

    @GET
    @Path("/{datasetId}/report")
    public DatasetReport report(@PathParam("datasetId") String datasetId) {
        return service().report(datasetId);
    }

    @POST
    @Path("/{datasetId}/reprocess")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> reprocess(@PathParam("datasetId") String datasetId, ReprocessSpec spec) {
        return service().reprocess(datasetId, spec);
    }
}
