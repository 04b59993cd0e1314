package ai.booth.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.stream.Collectors;

/** Every error of the API as problem+json: Booth's own problems, bad input, bad JSON and JAX-RS errors alike. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(e.problem(uri.getPath()));
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response badRequest(IllegalArgumentException e, UriInfo uri) {
        return problem(ProblemException.of(Response.Status.BAD_REQUEST, e.getMessage()), uri);
    }

    /** Unreadable JSON: names the field path and what Jackson expected there. */
    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        String where = e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                ? mapping.getPath().stream().map(ref -> ref.getFieldName() != null ? ref.getFieldName()
                : "[" + ref.getIndex() + "]").collect(Collectors.joining(".")).replace(".[", "[") : "body";
        String detail = e.getOriginalMessage().split("\n")[0];
        return problem(ProblemException.invalid(List.of(new Problem.FieldError(where, detail))), uri);
    }

    /** Wrong JSON types (Quarkus maps this subtype itself unless told otherwise). */
    @ServerExceptionMapper
    public Response badJsonType(MismatchedInputException e, UriInfo uri) {
        return badJson(e, uri);
    }

    /** JAX-RS' own answers (unknown path, wrong method, unsupported media type...) with a problem body. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        Response original = e.getResponse();
        Response.StatusType status = original.getStatusInfo();
        String detail = e.getMessage() == null || e.getMessage().startsWith("HTTP ") ? status.getReasonPhrase()
                : e.getMessage();
        Response.ResponseBuilder response = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail,
                        uri.getPath(), List.of()));
        original.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(value -> response.header(name, value));
            }
        });
        return response.build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.errorf(e, "%s failed", uri.getPath());
        return problem(ProblemException.of(Response.Status.INTERNAL_SERVER_ERROR,
                "the gateway could not complete the request: " + e.getClass().getSimpleName()), uri);
    }
}
