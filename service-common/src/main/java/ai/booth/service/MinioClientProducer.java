package ai.booth.service;

import io.minio.MinioClient;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one MinIO client of a service, built from {@link S3Config}. */
public class MinioClientProducer {

    @Produces
    @Singleton
    MinioClient minioClient(S3Config config) {
        return client(config);
    }

    /** A client of {@code config}'s endpoint; also for {@code booth model}, which runs outside Quarkus. */
    public static MinioClient client(S3Config config) {
        return MinioClient.builder()
                .endpoint(config.endpoint())
                .region(config.region())
                .credentials(config.accessKey(), config.secretKey())
                .build();
    }
}
