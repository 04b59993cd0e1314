package ai.booth.gateway.job;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * The endpoints every job kind has, inherited by its resource (which adds the path, the tag and its own endpoints):
 * a page of the caller's jobs and one job. Their OpenAPI texts differ per kind, but SmallRye OpenAPI reads
 * {@code @Operation} only where a JAX-RS method is declared, here: {@link JobOpenApi} writes them in, and renames
 * the path parameter {@code {id}} to the kind's ({@code {generationId}}) as the API has always named it.
 *
 * @param <V> the view the API shows
 * @param <T> the kind's service, for the resource's own endpoints
 */
public abstract class JobEndpoints<V extends Views.Job, T extends JobService<V>> {

    private final T service;

    protected JobEndpoints(T service) {
        this.service = service;
    }

    protected T service() {
        return service;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Page<V> list(@QueryParam("offset") @DefaultValue("0") int offset,
                        @QueryParam("limit") @DefaultValue("20") int limit) {
        return service.list(offset, limit);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public V get(@PathParam("id") String id) {
        return service.get(id);
    }
}
