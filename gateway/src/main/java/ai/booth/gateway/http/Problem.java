package ai.booth.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The body of every error answer: RFC 9457 problem details ({@code application/problem+json}).
 *
 * @param type      a URI naming the kind of problem ({@code about:blank} when the status says it all)
 * @param title     short summary of the kind, the same for every occurrence
 * @param status    the HTTP status
 * @param detail    what was wrong with this request, naming the field, header or id
 * @param instance  the request path
 * @param errors    one entry per bad field (validation problems only)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance,
                      List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One bad field: its JSON path (e.g. {@code loras[0].unetScale}) and what is wrong with it. */
    public record FieldError(String field, String message) {
    }
}
