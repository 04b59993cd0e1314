package ai.booth.service;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Whole-object reads and writes on S3 with errors that say what failed; the raw client stays available. */
@ApplicationScoped
public class ObjectStore {

    private final MinioClient client;

    public ObjectStore(MinioClient client) {
        this.client = client;
    }

    public void put(String bucket, String key, byte[] content, String contentType) {
        call("put", bucket, key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(content), content.length, -1).contentType(contentType).build()));
    }

    /** Uploads a file, streaming it. */
    public void put(String bucket, String key, Path file, String contentType) {
        call("put", bucket, key, () -> {
            try (InputStream in = Files.newInputStream(file)) {
                client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                        .stream(in, Files.size(file), -1).contentType(contentType).build());
            }
        });
    }

    /**
     * Streams an object into a file, counting bytes as they arrive: stops and answers empty as soon as the object
     * turns out larger than {@code maxBytes} (the partial file is deleted), else answers its size.
     */
    public OptionalLong download(String bucket, String key, Path target, long maxBytes) {
        return call("get", bucket, key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
                 OutputStream out = Files.newOutputStream(target)) {
                byte[] buffer = new byte[64 * 1024];
                long size = 0;
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    size += n;
                    if (size > maxBytes) {
                        out.close();
                        Files.delete(target);
                        return OptionalLong.empty();
                    }
                    out.write(buffer, 0, n);
                }
                return OptionalLong.of(size);
            }
        });
    }

    public byte[] get(String bucket, String key) {
        return call("get", bucket, key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return in.readAllBytes();
            }
        });
    }

    public boolean exists(String bucket, String key) {
        return stat(bucket, key).isPresent();
    }

    /** Keys under a prefix, recursively, in key order. */
    public List<String> list(String bucket, String prefix) {
        return call("list", bucket, prefix + "*", () -> {
            List<String> keys = new ArrayList<>();
            for (var result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                Item item = result.get();
                keys.add(item.objectName());
            }
            return keys;
        });
    }

    /** The "folders" directly under a prefix (e.g. {@code sd-tiny/} at the bucket root), in key order. */
    public List<String> folders(String bucket, String prefix) {
        return call("list", bucket, prefix + "*/", () -> {
            List<String> folders = new ArrayList<>();
            for (var result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(false).build())) {
                Item item = result.get();
                if (item.isDir()) {
                    folders.add(item.objectName());
                }
            }
            return folders;
        });
    }

    /** Size and ETag of an object (the ETag changes whenever its content is replaced). */
    public record Stat(long size, String etag) {
    }

    /** The object's size and ETag, or empty when there is no such object. */
    public Optional<Stat> stat(String bucket, String key) {
        return call("stat", bucket, key, () -> {
            try {
                var response = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return Optional.of(new Stat(response.size(), response.etag()));
            } catch (ErrorResponseException e) {
                if ("NoSuchKey".equals(e.errorResponse().code())) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Whether any object's key starts with the prefix (one listed key suffices). */
    public boolean hasPrefix(String bucket, String prefix) {
        return call("list", bucket, prefix + "*", () -> client.listObjects(ListObjectsArgs.builder().bucket(bucket)
                .prefix(prefix).recursive(true).maxKeys(1).build()).iterator().hasNext());
    }

    public void remove(String bucket, String key) {
        call("remove", bucket, key, () -> client.removeObject(RemoveObjectArgs.builder().bucket(bucket)
                .object(key).build()));
    }

    public boolean bucketExists(String bucket) {
        return call("check bucket", bucket, "", () -> client.bucketExists(BucketExistsArgs.builder()
                .bucket(bucket).build()));
    }

    public MinioClient client() {
        return client;
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    private interface S3Action {
        void run() throws Exception;
    }

    private static void call(String operation, String bucket, String key, S3Action action) {
        call(operation, bucket, key, () -> {
            action.run();
            return null;
        });
    }

    private static <T> T call(String operation, String bucket, String key, S3Call<T> call) {
        try {
            return call.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ObjectStoreException("S3 " + operation + " s3://" + bucket + "/" + key + " failed: " + e, e);
        }
    }
}
