package ai.booth.gateway.job;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.ApiKey;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * How many unfinished jobs of one kind an owner may have at once (the calling key's tier, {@code active-jobs}): a
 * token bucket limits how fast work is requested, this bounds how much of it waits in the queues. Counted from the
 * views, which every gateway replica builds from the same topics, so the bound holds across replicas (up to the
 * jobs requested within the same moment on two of them).
 */
@ApplicationScoped
public class JobQuota {

    /** A job slot frees when a job ends; its client hears of it, so a short wait is a fair hint. */
    static final long RETRY_AFTER_SECONDS = 30;

    private final GatewayConfig config;

    public JobQuota(GatewayConfig config) {
        this.config = config;
    }

    /** Throws the 429 problem when the owner of {@code key} already has its tier's number of unfinished jobs. */
    public void check(ApiKey key, String collection, Views<?> views) {
        check(key, collection, views, 1);
    }

    /**
     * Throws the 429 problem when {@code more} new jobs would take the owner of {@code key} past its tier's number of
     * unfinished jobs of this kind (an experiment starts one training per variant).
     */
    public void check(ApiKey key, String collection, Views<?> views, int more) {
        GatewayConfig.RateTier tier = config.rateLimits().get(key.tier());
        long unfinished = views.unfinished(key.ownerId());
        if (tier != null && unfinished + more > tier.activeJobs()) {
            throw ProblemException.limited("quota-exceeded", "Too many unfinished jobs", "owner " + key.ownerId() + " has " + unfinished + " unfinished "
                    + collection + " (tier " + key.tier() + ": at most " + tier.activeJobs() + " at once); retry"
                    + " when one has ended", RETRY_AFTER_SECONDS);
        }
    }
}
