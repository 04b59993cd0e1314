package ai.booth.gateway.auth;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.ApiKey;
import ai.booth.keys.ApiKeyStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per API key for calls that start work: each holds up to the tier's burst and refills at its rate
 * per minute; an empty bucket answers 429 with Retry-After. A call costs a token, and a job that will cost the
 * workers more (its {@link ai.booth.gateway.job.JobCost}) the rest once checked; a cost over the burst is taken from
 * a full bucket and leaves it in debt, so a huge job is possible but holds the key back in proportion. Shared by
 * the gateway replicas through the request topics: a job another replica admitted (or this one before a restart) is
 * {@link #charge charged} here too when its request event reaches the views ({@link ai.booth.gateway.job.ReplicaCharges}),
 * at the event's time, so N replicas do not grant N times the rate and a restart refills nothing. Only the token of
 * a request refused by validation stays with the replica that refused it (it publishes nothing).
 */
@ApplicationScoped
public class RateLimits {

    private final Map<String, GatewayConfig.RateTier> tiers;
    private final ApiKeyStore keys;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimits(GatewayConfig config, ApiKeyStore keys) {
        this.tiers = config.rateLimits();
        this.keys = keys;
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
        GatewayConfig.RateTier tier = tier(key);
        long now = System.currentTimeMillis();
        long wait = buckets.computeIfAbsent(key.id(), id -> new Bucket(tier, now)).take(now, cost, paid);
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999) / 1000);
            throw ProblemException.rateLimited("API key " + key.id() + " (tier " + key.tier() + ": burst "
                    + tier.burst() + ", " + tier.perMinute() + " per minute) is out of calls that start work" + why
                    + "; retry in " + seconds + " s", seconds);
        }
    }

    /**
     * Takes {@code cost} tokens of key {@code keyId}'s bucket as at {@code atMillis} (epoch), whatever is left: the
     * job was admitted elsewhere already. Keys revoked since, or of a tier this replica does not define (its calls
     * are refused here anyway), are ignored: a charge never fails the views.
     */
    public void charge(String keyId, long cost, long atMillis) {
        keys.findById(keyId).filter(key -> tiers.containsKey(key.tier())).ifPresent(key -> buckets
                .computeIfAbsent(key.id(), id -> new Bucket(tier(key), atMillis)).charge(atMillis, cost));
    }

    private GatewayConfig.RateTier tier(ApiKey key) {
        GatewayConfig.RateTier tier = tiers.get(key.tier());
        if (tier == null) {
            throw new IllegalStateException("API key " + key.id() + " has rate-limit tier '" + key.tier()
                    + "', which booth.gateway.rate-limits does not define; defined: " + tiers.keySet());
        }
        return tier;
    }

    /** Times are epoch milliseconds: charges carry the time of their event, which another replica's clock set. */
    private static final class Bucket {
        private final double capacity;
        private final double perMilli;
        private double tokens;
        private long updated;

        Bucket(GatewayConfig.RateTier tier, long since) {
            capacity = tier.burst();
            perMilli = tier.perMinute() / 60e3;
            tokens = capacity;
            updated = since;
        }

        /**
         * 0 when the {@code cost} tokens not yet {@code paid} were taken, else milliseconds until they can be. A
         * cost over the capacity needs a bucket that was full and leaves it below zero.
         */
        synchronized long take(long now, long cost, long paid) {
            refill(now);
            double needed = Math.min(cost, capacity) - paid;
            if (tokens >= needed) {
                tokens -= cost - paid;
                return 0;
            }
            return perMilli <= 0 ? Long.MAX_VALUE / 2 : (long) Math.ceil((needed - tokens) / perMilli);
        }

        synchronized void charge(long at, long cost) {
            refill(at);
            tokens -= cost;
        }

        /** A time before the last update (events of several partitions, clocks of several hosts) refills nothing. */
        private void refill(long at) {
            if (at > updated) {
                tokens = Math.min(capacity, tokens + (at - updated) * perMilli);
                updated = at;
            }
        }
    }
}
