package ai.booth.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Random tokens and their hashes. */
public final class Secrets {

    /** Prefix of every API key, so leaked keys are easy to find (secret scanners, logs). */
    public static final String KEY_PREFIX = "bk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new API key: {@code bk_} and 192 random bits in URL-safe base64. */
    public static String newApiKey() {
        return KEY_PREFIX + token(24);
    }

    /** A new webhook signing secret: {@code whsec_} and 192 random bits. */
    public static String newWebhookSecret() {
        return "whsec_" + token(24);
    }

    /** Hex SHA-256 of the text: keys carry 192 random bits, so no salt or stretching is needed. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String token(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private Secrets() {
    }
}
