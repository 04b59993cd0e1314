package ai.booth.gateway.job;

import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.http.ProblemException;
import ai.booth.contracts.Buckets;
import ai.booth.service.ObjectStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;

/**
 * Images by object key: a fresh presigned URL for one of the caller's objects (views carry such URLs already; this
 * renews one that expired). Another owner's key answers 404 like a missing one.
 */
@Path("/api/v1/images")
@Tag(name = "images")
public class ImageResource {

    static final List<String> BUCKETS = List.of(Buckets.GENERATIONS, Buckets.CHECKPOINTS, Buckets.DATASETS);

    private final ObjectStore store;
    private final Links links;
    private final Caller caller;

    public ImageResource(ObjectStore store, Links links, Caller caller) {
        this.store = store;
        this.links = links;
        this.caller = caller;
    }

    @GET
    @Path("/{bucket}/{key: .+}")
    @Operation(summary = "Redirect (303) to a short-lived presigned URL of one of your images",
            description = "bucket: generations, checkpoints (validation images) or datasets (training images)")
    @APIResponse(responseCode = "303", description = "Location: the presigned URL")
    @APIResponse(responseCode = "404", description = "no such image of yours")
    public Response image(@PathParam("bucket") String bucket, @PathParam("key") String key) {
        String url = BUCKETS.contains(bucket) && !key.contains("..") ? links.url(bucket, caller.ownerId(), key) : null;
        if (url == null || !store.exists(bucket, key)) {
            throw ProblemException.notFound("image", bucket + "/" + key);
        }
        return Response.seeOther(URI.create(url)).build();
    }
}
