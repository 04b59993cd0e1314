package ai.booth.infra;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Properties;

/**
 * An S3-compatible server (S3Proxy) whose buckets are directories under a data directory. Clients reach it like
 * MinIO: path-style requests signed with AWS Signature V4 (V2 is accepted too) and the configured key pair.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private final BlobStore store;
    private final S3Proxy proxy;

    public EmbeddedS3(Path baseDir, int port, String accessKey, String secretKey) throws Exception {
        Files.createDirectories(baseDir);
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        store = BlobStores.create("filesystem-nio2", props);
        proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://" + Loopback.ADDRESS + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
    }

    public void start() throws Exception {
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start, state " + proxy.getState());
            }
            Thread.sleep(20);
        }
    }

    /** The endpoint clients use, with the port actually bound. */
    public String endpoint() {
        return "http://" + Loopback.ADDRESS + ":" + proxy.getPort();
    }

    public void createBuckets(Collection<String> buckets) {
        for (String bucket : buckets) {
            if (!store.containerExists(bucket)) {
                store.createContainer(bucket);
            }
        }
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
