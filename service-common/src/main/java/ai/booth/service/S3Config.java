package ai.booth.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How services reach S3 (MinIO, or the embedded S3Proxy): {@code booth.s3.*}, env {@code BOOTH_S3_*}. */
@ConfigMapping(prefix = "booth.s3")
public interface S3Config {

    /** e.g. http://127.0.0.1:9000; path-style requests are used for non-AWS endpoints. */
    String endpoint();

    String accessKey();

    String secretKey();

    @WithDefault("us-east-1")
    String region();
}
