package ai.booth.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a multipart/form-data body (RFC 7578) part by part as it arrives, so the caller can count each part's bytes
 * and stop at a limit before the rest of the body has been received. Each part's body must be read (or left) before
 * {@link #next()} is called again.
 */
public final class MultipartReader {

    /** One part: its form field name, the client's file name (files only) and content type. */
    public record Part(String name, String fileName, String contentType, InputStream body) {
    }

    private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))",
            Pattern.CASE_INSENSITIVE);
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private boolean finished;
    private PartBody current;

    public MultipartReader(InputStream in, String contentType) {
        Matcher m = contentType == null ? null : BOUNDARY.matcher(contentType);
        if (m == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data") || !m.find()) {
            throw new IllegalArgumentException("Content-Type must be multipart/form-data with a boundary, got "
                    + (contentType == null ? "none" : "'" + contentType + "'"));
        }
        String boundary = m.group(1) != null ? m.group(1) : m.group(2);
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The body starts with "--boundary": a virtual CRLF in front makes the first delimiter like every other.
        buffer[0] = '\r';
        buffer[1] = '\n';
        end = 2;
        current = new PartBody(); // the preamble, skipped by the first next()
    }

    /** The next part, or null after the closing delimiter. */
    public Part next() throws IOException {
        current.skipAll();
        if (finished) {
            return null;
        }
        // after a delimiter: "--" closes the body, CRLF starts a part's headers
        fill(2);
        if (end - start >= 2 && buffer[start] == '-' && buffer[start + 1] == '-') {
            finished = true;
            return null;
        }
        String headers = readHeaders();
        String name = null;
        String fileName = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String header = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (header.equals("content-disposition")) {
                Map<String, String> parameters = parameters(value);
                name = parameters.get("name");
                fileName = parameters.get("filename");
            } else if (header.equals("content-type")) {
                type = value;
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("a multipart part has no Content-Disposition name");
        }
        current = new PartBody();
        return new Part(name, fileName, type, current);
    }

    /**
     * The parameters of a Content-Disposition value ({@code form-data; name="images"; filename="a \"b\".jpg"}),
     * names lower-cased, read in one pass without a regular expression: a backtracking pattern over a quoted value
     * of a few thousand characters overflowed the stack. The headers are at most {@link #MAX_HEADER_BYTES} long.
     */
    static Map<String, String> parameters(String value) {
        Map<String, String> parameters = new HashMap<>();
        int i = value.indexOf(';');
        int n = value.length();
        while (i >= 0 && i < n) {
            i++; // past ';'
            while (i < n && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            int nameStart = i;
            while (i < n && value.charAt(i) != '=' && value.charAt(i) != ';') {
                i++;
            }
            String name = value.substring(nameStart, i).strip().toLowerCase(Locale.ROOT);
            if (i >= n || value.charAt(i) == ';') {
                continue; // a parameter without a value
            }
            i++; // past '='
            while (i < n && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && value.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = value.charAt(i++);
                    if (c == '\\' && i < n) {
                        v.append(value.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("malformed multipart body: Content-Disposition parameter '"
                            + abbreviate(name) + "' has no closing quote");
                }
            } else {
                while (i < n && value.charAt(i) != ';' && !Character.isWhitespace(value.charAt(i))) {
                    v.append(value.charAt(i++));
                }
            }
            parameters.putIfAbsent(name, v.toString());
            i = value.indexOf(';', i);
        }
        return parameters;
    }

    /** A client's text for an error message: at most 100 characters. */
    public static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "... (" + text.length() + " characters)";
    }

    /** The CRLF after the delimiter, then header lines up to the empty line; as ISO-8859-1 (RFC 7578 allows UTF-8). */
    private String readHeaders() throws IOException {
        fill(2);
        if (end - start < 2 || buffer[start] != '\r' || buffer[start + 1] != '\n') {
            throw new IllegalArgumentException("malformed multipart body: no line break after a boundary");
        }
        start += 2;
        byte[] blank = {'\r', '\n', '\r', '\n'};
        int headerEnd;
        while ((headerEnd = indexOf(blank, start, end)) < 0) {
            if (end - start > MAX_HEADER_BYTES) {
                throw new IllegalArgumentException("multipart part headers exceed " + MAX_HEADER_BYTES + " bytes");
            }
            if (!more()) {
                throw new IllegalArgumentException("malformed multipart body: it ends inside a part's headers");
            }
        }
        String text = new String(buffer, start, headerEnd - start, StandardCharsets.UTF_8);
        start = headerEnd + blank.length;
        return text;
    }

    /** The bytes of one part up to the next delimiter, which it consumes. */
    private final class PartBody extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            while (true) {
                int at = indexOf(delimiter, start, end);
                if (at == start) {
                    start += delimiter.length;
                    done = true;
                    return -1;
                }
                // bytes before a found delimiter, or all but a possible delimiter prefix at the end
                int safe = at >= 0 ? at : end - (delimiter.length - 1);
                if (safe > start) {
                    int n = Math.min(len, safe - start);
                    System.arraycopy(buffer, start, into, off, n);
                    start += n;
                    return n;
                }
                if (!more()) {
                    throw new IllegalArgumentException("malformed multipart body: it ends before the closing"
                            + " boundary");
                }
            }
        }

        void skipAll() throws IOException {
            byte[] sink = new byte[8192];
            while (read(sink, 0, sink.length) >= 0) {
                // discard
            }
        }
    }

    /** Ensures at least {@code n} unread bytes unless the stream ends. */
    private void fill(int n) throws IOException {
        while (end - start < n && more()) {
            // reading
        }
    }

    /** Reads more bytes into the buffer (compacting it first); false at the end of the stream. */
    private boolean more() throws IOException {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            throw new IllegalStateException("multipart buffer full"); // headers are capped far below its size
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            return false;
        }
        end += n;
        return true;
    }

    private int indexOf(byte[] pattern, int from, int to) {
        outer:
        for (int i = from; i <= to - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (buffer[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
