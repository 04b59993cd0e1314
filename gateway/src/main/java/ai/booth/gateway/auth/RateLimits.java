package ai.booth.gateway.auth;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.ApiKey;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per API key for calls that start work: each holds up to the tier's burst and refills at its rate
 * per minute; an empty bucket answers 429 with Retry-After. In memory: a restart refills every bucket.
 */
@ApplicationScoped
public class RateLimits {

    private final Map<String, GatewayConfig.RateTier> tiers;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimits(GatewayConfig config) {
        this.tiers = config.rateLimits();
    }

    /** Takes one token from the key's bucket, or throws the 429 problem. */
    public void spend(ApiKey key) {
        GatewayConfig.RateTier tier = tiers.get(key.tier());
        if (tier == null) {
            throw new IllegalStateException("API key " + key.id() + " has rate-limit tier '" + key.tier()
                    + "', which booth.gateway.rate-limits does not define; defined: " + tiers.keySet());
        }
        long wait = buckets.computeIfAbsent(key.id(), id -> new Bucket(tier)).take(System.nanoTime());
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
            throw ProblemException.rateLimited("API key " + key.id() + " (tier " + key.tier() + ": burst "
                    + tier.burst() + ", " + tier.perMinute() + " per minute) is out of calls that start work; retry"
                    + " in " + seconds + " s", seconds);
        }
    }

    private static final class Bucket {
        private final double capacity;
        private final double perNano;
        private double tokens;
        private long updated;

        Bucket(GatewayConfig.RateTier tier) {
            capacity = tier.burst();
            perNano = tier.perMinute() / 60e9;
            tokens = capacity;
            updated = System.nanoTime();
        }

        /** 0 when a token was taken, else nanoseconds until one is available. */
        synchronized long take(long now) {
            tokens = Math.min(capacity, tokens + (now - updated) * perNano);
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return perNano <= 0 ? Long.MAX_VALUE / 2 : (long) Math.ceil((1 - tokens) / perNano);
        }
    }
}
