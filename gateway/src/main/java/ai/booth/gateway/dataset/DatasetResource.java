package ai.booth.gateway.dataset;

import ai.booth.gateway.job.Page;
import ai.booth.gateway.job.Idempotency;
import ai.booth.contracts.DatasetReport;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletionStage;

/** Datasets: photos of one subject, uploaded for training. */
@Path("/api/v1/datasets")
@Tag(name = "datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    private final DatasetService datasets;

    public DatasetResource(DatasetService datasets) {
        this.datasets = datasets;
    }

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload photos of a subject",
            description = "Images and zip archives of images, with optional caption files (name.txt beside"
                    + " name.jpg). Limits are enforced while the body arrives: a file over its limit stops the"
                    + " upload with 413 and nothing is stored. The files are staged in S3 and DatasetIngested is"
                    + " published; the dataset becomes READY (training images, captions, quality report) or"
                    + " REJECTED (one reason per file) once dataset-service has processed it.")
    @RequestBody(content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = UploadForm.class)))
    @APIResponse(responseCode = "202", description = "staged; processing")
    @APIResponse(responseCode = "200", description = "the dataset this Idempotency-Key created before")
    @APIResponse(responseCode = "413", description = "a file or the upload is over its limit; nothing stored")
    public CompletionStage<Response> create(@HeaderParam(Idempotency.HEADER) String idempotencyKey,
                                            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                            InputStream body) throws IOException {
        return datasets.upload(idempotencyKey, contentType, body);
    }

    @GET
    @Operation(summary = "Your datasets, newest first")
    public Page<DatasetView> list(@QueryParam("offset") @DefaultValue("0") int offset,
                             @QueryParam("limit") @DefaultValue("20") int limit) {
        return datasets.list(offset, limit);
    }

    @GET
    @Path("/{datasetId}")
    @Operation(summary = "A dataset's status and, once READY, its training images (presigned URLs) and report")
    @APIResponse(responseCode = "404", description = "no such dataset of yours")
    public DatasetView get(@PathParam("datasetId") String datasetId) {
        return datasets.get(datasetId);
    }

    @GET
    @Path("/{datasetId}/report")
    @Operation(summary = "A dataset's quality report: per image size, face, crop, blur, duplicates; rejected files")
    @APIResponse(responseCode = "404", description = "no such dataset of yours, or no report yet")
    public DatasetReport report(@PathParam("datasetId") String datasetId) {
        return datasets.report(datasetId);
    }

    @POST
    @Path("/{datasetId}/reprocess")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Process a ready dataset again with other settings",
            description = "Crop mode, resolution, buckets, duplicates or instance prompt, without uploading again."
                    + " Publishes DatasetReprocessRequested; the dataset's version rises when the new training set"
                    + " is stored.")
    @APIResponse(responseCode = "409", description = "the dataset is not READY")
    public CompletionStage<Response> reprocess(@PathParam("datasetId") String datasetId, ReprocessSpec spec) {
        return datasets.reprocess(datasetId, spec);
    }
}
