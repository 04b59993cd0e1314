package ai.booth.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * How services (and {@code booth model}) reach S3 (MinIO, or the embedded S3Proxy): {@code booth.s3.*}, env
 * {@code BOOTH_S3_*}. The defaults are the local stack of {@code ./booth up}.
 */
@ConfigMapping(prefix = "booth.s3")
public interface S3Config {

    /** e.g. https://s3.example.com; path-style requests are used for non-AWS endpoints. */
    @WithDefault("http://127.0.0.1:9000")
    String endpoint();

    @WithDefault("booth")
    String accessKey();

    @WithDefault("booth-secret")
    String secretKey();

    /** Known up front, so clients make no GetBucketLocation round trip. */
    @WithDefault("us-east-1")
    String region();

    /**
     * The endpoint browsers reach S3 at, for presigned URLs handed to them (e.g. https://s3.example.com); absent
     * means {@link #endpoint()}, right for the embedded S3 server on localhost.
     */
    Optional<String> publicEndpoint();
}
