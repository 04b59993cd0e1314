package ai.booth.service;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.ServerException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.Set;

/** An S3 operation failed; the message names the operation, bucket and key. */
public class ObjectStoreException extends RuntimeException {

    /** S3 error codes that say "not now" rather than "never". */
    private static final Set<String> BUSY = Set.of("ServiceUnavailable", "SlowDown", "InternalError",
            "RequestTimeout");

    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * True when the S3 server could not be reached or answered "try later" (connection refused or cut, a timeout, an
     * HTTP 5xx or a busy error code): the same call can succeed once the server is back, unlike a missing object or a
     * refused request.
     */
    public boolean unavailable() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof SocketException || t instanceof InterruptedIOException
                    || t instanceof EOFException || t instanceof ServerException) {
                return true;
            }
            if (t instanceof ErrorResponseException e && e.errorResponse() != null
                    && BUSY.contains(e.errorResponse().code())) {
                return true;
            }
            // OkHttp's "unexpected end of stream on http://…" when the server dies mid-exchange
            if (t.getClass() == IOException.class && t.getMessage() != null
                    && t.getMessage().startsWith("unexpected end of stream")) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code failure} or one of its causes is an S3 call that failed because S3 was unavailable. */
    public static boolean unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ObjectStoreException e && e.unavailable()) {
                return true;
            }
        }
        return false;
    }
}
