package ai.booth.gateway.job;

import ai.booth.gateway.GatewayConfig;
import ai.booth.service.S3Config;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MinioClient;
import io.minio.http.Method;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * Presigned GET URLs for an owner's objects, signed for the endpoint browsers reach ({@code booth.s3.public-endpoint},
 * else {@code booth.s3.endpoint}). Signing is local computation: no request to S3. Keys outside the owner's prefix
 * are never signed.
 */
@ApplicationScoped
public class Links {

    private final MinioClient signer;
    private final int expirySeconds;

    public Links(S3Config s3, GatewayConfig config) {
        this.signer = MinioClient.builder().endpoint(s3.publicEndpoint().orElse(s3.endpoint())).region(s3.region())
                .credentials(s3.accessKey(), s3.secretKey()).build();
        this.expirySeconds = (int) Math.max(1, config.presignExpiry().toSeconds());
    }

    /** A URL for the object, or null when the key is not the owner's. */
    public String url(String bucket, String ownerId, String key) {
        return url(bucket, ownerId, key, Map.of());
    }

    /** A URL whose response carries the given headers (e.g. response-content-disposition for downloads). */
    public String url(String bucket, String ownerId, String key, Map<String, String> responseHeaders) {
        if (key == null || !key.startsWith(ownerId + "/")) {
            return null;
        }
        try {
            return signer.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET)
                    .bucket(bucket).object(key).expiry(expirySeconds).extraQueryParams(responseHeaders).build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot presign s3://" + bucket + "/" + key + ": " + e, e);
        }
    }

    public ImageLink sign(String bucket, String ownerId, ImageLink image) {
        return image == null ? null : image.withUrl(url(bucket, ownerId, image.key()));
    }

    public List<ImageLink> sign(String bucket, String ownerId, List<ImageLink> images) {
        return images.stream().map(image -> sign(bucket, ownerId, image)).toList();
    }
}
