package ai.booth.keys;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One API key as stored: never the key itself, only its SHA-256.
 *
 * @param id             short public id (the first 12 hex digits of the hash), for listings and logs
 * @param sha256         hex SHA-256 of the key text ({@code bk_...})
 * @param ownerId        the tenant every dataset, job and image created with the key belongs to
 * @param name           what the key is for, e.g. "laptop"
 * @param tier           rate-limit tier, e.g. standard
 * @param created        when the key was created
 * @param webhookSecret  HMAC secret that signs this key's webhook deliveries
 */
public record ApiKey(String id, String sha256, String ownerId, String name, String tier, Instant created,
                     String webhookSecret) {

    /** Owner ids are path segments of object keys: letters, digits, '.', '_', '-'. */
    public static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._ -]{0,63}");

    public ApiKey {
        check("owner", ownerId, OWNER);
        check("name", name, WORD);
        check("tier", tier, OWNER);
    }

    private static void check(String what, String value, Pattern pattern) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be 1-64 letters, digits, '.', '_' or '-'"
                    + (pattern == WORD ? " (or spaces)" : "") + ", got " + (value == null ? "none" : "'" + value + "'"));
        }
    }
}
