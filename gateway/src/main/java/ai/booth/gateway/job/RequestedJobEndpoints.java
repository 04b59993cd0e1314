package ai.booth.gateway.job;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CompletionStage;

/**
 * {@link JobEndpoints} of a kind started by a JSON POST ({@link RequestedJobService}): its create endpoint too, with
 * its OpenAPI texts from {@link JobOpenApi}.
 *
 * @param <S> the POST body
 * @param <V> the view the API shows
 * @param <T> the kind's service
 */
public abstract class RequestedJobEndpoints<S, V extends Views.Job, T extends RequestedJobService<S, ?, V>>
        extends JobEndpoints<V, T> {

    protected RequestedJobEndpoints(T service) {
        super(service);
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> create(@HeaderParam(Idempotency.HEADER) String idempotencyKey, S spec) {
        return service().create(idempotencyKey, spec);
    }
}
