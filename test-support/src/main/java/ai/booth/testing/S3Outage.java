package ai.booth.testing;

import ai.booth.infra.FreePorts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real broker and S3 server ({@link BoothInfraResource}), with the service reaching S3 through a TCP relay that
 * a test can cut: while cut, the relay's port refuses connections and open ones are reset, as when the S3 server is
 * lost; restored, it listens on the same port again. Switched by the system property {@value #CUT} (JVM-wide, so it
 * works whichever class loader the test runs in): {@link #cut()}, {@link #restore()}. Use with
 * {@code @WithTestResource(S3Outage.class)}, and restore S3 after each test; its {@code initArgs} are passed on as
 * configuration (a short outage wait, say).
 */
public class S3Outage implements QuarkusTestResourceLifecycleManager {

    public static final String CUT = "booth.test.s3-cut";

    private final BoothInfraResource infra = new BoothInfraResource();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private volatile ServerSocket server;
    private InetSocketAddress target;
    private int port;
    private Map<String, String> extraConfig = Map.of();

    @Override
    public void init(Map<String, String> initArgs) {
        extraConfig = Map.copyOf(initArgs);
    }

    public static void cut() {
        System.setProperty(CUT, "true");
        sleep(300); // the relay looks every 20 ms
    }

    public static void restore() {
        System.clearProperty(CUT);
        sleep(300);
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(infra.start());
        URI s3 = URI.create(config.get("booth.s3.endpoint"));
        target = new InetSocketAddress(s3.getHost(), s3.getPort());
        port = FreePorts.any(1)[0];
        System.clearProperty(CUT);
        listen();
        Thread watch = new Thread(this::watch, "s3-relay-switch");
        watch.setDaemon(true);
        watch.start();
        config.put("booth.s3.endpoint", "http://127.0.0.1:" + port);
        config.putAll(extraConfig);
        return config;
    }

    @Override
    public void stop() {
        running = false;
        closeAll();
        System.clearProperty(CUT);
        infra.stop();
    }

    private void watch() {
        while (running) {
            boolean cut = Boolean.getBoolean(CUT);
            if (cut && server != null) {
                closeAll();
            } else if (!cut && server == null) {
                listen();
            }
            sleep(20);
        }
    }

    private void listen() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = socket;
            Thread accept = new Thread(() -> accept(socket), "s3-relay-accept");
            accept.setDaemon(true);
            accept.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // closed by a cut, or S3 itself refused: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side went, or a cut
            } finally {
                close(from);
                close(to);
            }
        }, "s3-relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void closeAll() {
        ServerSocket socket = server;
        server = null;
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        open.forEach(S3Outage::reset);
        open.clear();
    }

    /** Ends a connection with a reset, as a killed server's kernel does. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already
        }
        close(socket);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
