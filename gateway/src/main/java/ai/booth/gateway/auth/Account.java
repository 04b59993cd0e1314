package ai.booth.gateway.auth;

import java.time.Instant;

/**
 * Who the API key of the request is.
 *
 * @param ownerId        the owner of everything created with it
 * @param keyId          the key's public id
 * @param keyName        what the key is for
 * @param created        when it was created
 * @param tier           its rate-limit tier
 * @param burst          calls that start work it may make at once
 * @param perMinute      such calls refilled per minute
 * @param activeJobs     unfinished jobs of each kind (datasets, trainings, generations) its owner may have at once
 * @param webhookSecret  the secret that signs webhooks of jobs created with this key (X-Booth-Signature)
 */
public record Account(String ownerId, String keyId, String keyName, Instant created, String tier, int burst,
                      double perMinute, int activeJobs, String webhookSecret) {
}
