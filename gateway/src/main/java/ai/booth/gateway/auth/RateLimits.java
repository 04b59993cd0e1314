package ai.booth.gateway.auth;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.ApiKey;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per API key for calls that start work: each holds up to the tier's burst and refills at its rate
 * per minute; an empty bucket answers 429 with Retry-After. A call costs a token, and a job that will cost the
 * workers more (its {@link ai.booth.gateway.job.JobCost}) the rest once checked; a cost over the burst is taken from
 * a full bucket and leaves it in debt, so a huge job is possible but holds the key back in proportion. In memory: a
 * restart refills every bucket.
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
        spend(key, 1, 0, "");
    }

    /**
     * Takes the rest of a call's {@code cost} once it is known, {@code paid} of it taken already by {@link #spend},
     * or throws the 429 problem; {@code why} ends the detail's first sentence.
     */
    public void spend(ApiKey key, long cost, long paid, String why) {
        if (cost <= paid) {
            return;
        }
        GatewayConfig.RateTier tier = tiers.get(key.tier());
        if (tier == null) {
            throw new IllegalStateException("API key " + key.id() + " has rate-limit tier '" + key.tier()
                    + "', which booth.gateway.rate-limits does not define; defined: " + tiers.keySet());
        }
        long wait = buckets.computeIfAbsent(key.id(), id -> new Bucket(tier)).take(System.nanoTime(), cost, paid);
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
            throw ProblemException.rateLimited("API key " + key.id() + " (tier " + key.tier() + ": burst "
                    + tier.burst() + ", " + tier.perMinute() + " per minute) is out of calls that start work" + why
                    + "; retry in " + seconds + " s", seconds);
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

        /**
         * 0 when the {@code cost} tokens not yet {@code paid} were taken, else nanoseconds until they can be. A cost
         * over the capacity needs a bucket that was full and leaves it below zero.
         */
        synchronized long take(long now, long cost, long paid) {
            tokens = Math.min(capacity, tokens + (now - updated) * perNano);
            updated = now;
            double needed = Math.min(cost, capacity) - paid;
            if (tokens >= needed) {
                tokens -= cost - paid;
                return 0;
            }
            return perNano <= 0 ? Long.MAX_VALUE / 2 : (long) Math.ceil((needed - tokens) / perNano);
        }
    }
}
