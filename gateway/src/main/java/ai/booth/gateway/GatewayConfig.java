package ai.booth.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The gateway's settings: {@code booth.gateway.*}, env {@code BOOTH_GATEWAY_*}. */
@ConfigMapping(prefix = "booth.gateway")
public interface GatewayConfig {

    /**
     * The API keys file (see {@link ai.booth.keys.ApiKeyStore}; {@code ./booth key create --owner NAME} adds to it);
     * the launcher passes {@code <data>/gateway/keys.tsv}.
     */
    @WithDefault("data/gateway/keys.tsv")
    Path keysFile();

    /** How long presigned image and adapter URLs stay valid. */
    @WithDefault("15M")
    Duration presignExpiry();

    /**
     * Token buckets per rate-limit tier (a key names its tier), for calls that start work: uploads, reprocessing,
     * trainings, generations. No defaults: application.properties sets {@code standard} and {@code unlimited}.
     */
    Map<String, RateTier> rateLimits();

    /**
     * UNet passes at 512² (see {@link ai.booth.gateway.job.JobCost}) one rate-limit token buys: a request costs one
     * token per this many passes, at least one. 2000 makes a 30-step guided batch of 4 one token and a default
     * DreamBooth run a few.
     */
    @WithDefault("2000")
    int unetPassesPerToken();

    /** Server-sent event streams one API key may hold open at once (see {@link ai.booth.gateway.job.StreamSlots}). */
    @WithDefault("10")
    int maxStreamsPerKey();

    /** Largest request body other than uploads (JSON), in bytes; see {@link ai.booth.gateway.http.BodyLimit}. */
    @WithDefault("1048576")
    long maxJsonBytes();

    /** How many base models' CLIP tokenizers (used to count prompt tokens) stay loaded, most recently used. */
    @WithDefault("8")
    int tokenizerCache();

    Webhooks webhooks();

    Models models();

    /** Base-model installs over the API ({@code POST /api/v1/models}): models are shared by every owner. */
    interface Models {
        /** Owners whose keys may install models; the launcher's first key belongs to {@code demo}. */
        @WithDefault("demo")
        List<String> admins();

        /** Largest upload (a single file or a zip of a diffusers folder), checked while it arrives. */
        @WithDefault("17179869184")
        long maxBytes();
    }

    /**
     * A key may spend {@code burst} expensive calls at once, refilled at {@code perMinute}; its owner may have
     * {@code activeJobs} unfinished jobs of each kind (see {@link ai.booth.gateway.job.JobQuota}).
     */
    interface RateTier {
        int burst();

        double perMinute();

        @WithDefault("32")
        int activeJobs();
    }

    /** Signed POSTs of terminal events to a job's {@code callbackUrl}. */
    interface Webhooks {
        /** Deliveries per event, the first included. */
        @WithDefault("5")
        int attempts();

        /** Wait before the second attempt; each further wait doubles. */
        @WithDefault("2S")
        Duration initialBackoff();

        /** How long a delivery may go without a byte from the receiver before the attempt fails. */
        @WithDefault("10S")
        Duration timeout();

        /**
         * Receivers on internal addresses that webhooks may reach after all (on-prem): CIDRs such as
         * {@code 10.20.0.0/16} or {@code fd00::/8}, or host names; empty by default (public addresses only).
         */
        Optional<List<String>> allow();
    }
}
