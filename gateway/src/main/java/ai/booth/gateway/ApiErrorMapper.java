package ai.booth.gateway;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps bad input and unknown resources anywhere in the API to an {@link ApiError} body. */
public class ApiErrorMapper {

    @ServerExceptionMapper
    public Response badRequest(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST).entity(new ApiError(e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Response.status(Response.Status.NOT_FOUND).entity(new ApiError(e.getMessage())).build();
    }
}
