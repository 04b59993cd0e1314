package ai.booth.gateway;

import java.util.regex.Pattern;

/** The tenant of a request, from the {@value #HEADER} header (set by the authenticating proxy in front). */
final class Owners {

    static final String HEADER = "X-Booth-Owner";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    static String require(String ownerId) {
        if (ownerId == null || !VALID.matcher(ownerId).matches()) {
            throw new IllegalArgumentException("header " + HEADER + " must be 1-64 letters, digits, '.', '_' or"
                    + " '-', got " + (ownerId == null ? "none" : "'" + ownerId + "'"));
        }
        return ownerId;
    }

    private Owners() {
    }
}
