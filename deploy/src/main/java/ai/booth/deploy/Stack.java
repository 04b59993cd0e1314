package ai.booth.deploy;

import ai.booth.infra.BoothHome;
import ai.booth.infra.InfraProcess;
import ai.booth.infra.Loopback;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Booth on one machine: the embedded broker and S3 server, then the four service jars as child processes pointed at
 * them, each started the way production starts it ({@code java -jar quarkus-app/quarkus-run.jar}) and configured by
 * environment variables. Closing it stops everything; services also exit if this JVM dies (booth.parent-pid).
 */
public final class Stack implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final StackSettings settings;
    private final Map<Service, Process> services = new EnumMap<>(Service.class);
    private volatile InfraProcess infra;
    private boolean closed; // guarded by services: no launch after close

    public Stack(StackSettings settings) {
        this.settings = settings;
    }

    /**
     * Starts everything and returns once every service reports ready; {@code status} hears each step. On failure
     * (or from another thread, e.g. a shutdown hook) {@link #close()} stops whatever was started.
     */
    public Stack start(Consumer<String> status) throws IOException, InterruptedException {
        List<Path> jars = new ArrayList<>();
        for (Service service : Service.values()) {
            Path jar = jar(settings.home(), service);
            if (!Files.isRegularFile(jar)) {
                throw new IOException(service.module() + " is not built (missing " + jar
                        + "); run: mvn -B -DskipTests package");
            }
            jars.add(jar);
        }
        Files.createDirectories(settings.dataDir().resolve("logs"));
        try {
            infra = InfraProcess.start(settings.infra());
            status.accept(String.format("%-16s %-28s UP   data %s", "kafka", infra.kafkaBootstrap(),
                    settings.dataDir().resolve("kafka")));
            status.accept(String.format("%-16s %-28s UP   data %s", "s3", infra.s3Endpoint(),
                    settings.dataDir().resolve("s3")));
            for (Service service : Service.values()) {
                synchronized (services) {
                    if (closed) {
                        throw new IOException("stopped while starting");
                    }
                    services.put(service, launch(service, jars.get(service.ordinal()), Map.of()));
                }
            }
            for (Service service : Service.values()) {
                awaitReady(service);
                status.accept(String.format("%-16s %-28s UP   log  %s", service.module(), url(service),
                        settings.logFile(service.module())));
            }
            return this;
        } catch (IOException | RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    public StackSettings settings() {
        return settings;
    }

    public URI url(Service service) {
        return URI.create("http://" + Loopback.ADDRESS + ":" + settings.servicePorts().get(service));
    }

    /** Where a service serves health and metrics: the gateway on its management port, a worker on its HTTP port. */
    public URI operationsUrl(Service service) {
        return service == Service.GATEWAY
                ? URI.create("http://" + Loopback.ADDRESS + ":" + settings.gatewayManagementPort()) : url(service);
    }

    public InfraProcess infra() {
        return infra;
    }

    /** Every child process: the infrastructure and the services. */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(infra.handle());
        synchronized (services) {
            services.values().forEach(process -> all.add(process.toHandle()));
        }
        return all;
    }

    /** The first service that exited on its own, if any. */
    public Optional<Service> exited() {
        synchronized (services) {
            return services.entrySet().stream().filter(e -> !e.getValue().isAlive()).map(Map.Entry::getKey)
                    .findFirst();
        }
    }

    /** Kills a service at once (SIGKILL: no shutdown hook, no last checkpoint), as a crashed node would. */
    public void kill(Service service) throws InterruptedException {
        Process process;
        synchronized (services) {
            process = services.get(service);
        }
        process.destroyForcibly().waitFor();
    }

    /**
     * Kills the broker and the S3 server at once (SIGKILL, as a lost node), leaves them down for {@code down}, and
     * starts them again on the same ports and data; the services are not told.
     */
    public void outage(Duration down) throws IOException, InterruptedException {
        if (settings.infra().kafkaPort() == 0 || settings.infra().s3Port() == 0) {
            throw new IllegalStateException("an outage needs fixed broker and S3 ports: the services would not find"
                    + " them again");
        }
        infra.handle().destroyForcibly();
        infra.handle().onExit().join();
        Thread.sleep(down.toMillis());
        infra = InfraProcess.start(settings.infra());
    }

    /**
     * Stops the broker alone (S3 serves on), leaves it down for {@code down}, and starts it again on the same ports
     * and log; the services are not told. It stops cleanly inside the infrastructure's process: to the services, as
     * after a kill, every connection is refused until it is back.
     */
    public void brokerOutage(Duration down) throws IOException, InterruptedException {
        infra.stopKafka();
        Thread.sleep(down.toMillis());
        infra.startKafka();
    }

    /** Starts a stopped or killed service again and waits until it is ready. */
    public void restart(Service service) throws IOException, InterruptedException {
        restart(service, Map.of());
    }

    /**
     * Starts a stopped or killed service again with {@code env} over its usual environment (e.g. another engine
     * device) and waits until it is ready; an IOException names the exit code and log if it exits instead.
     */
    public void restart(Service service, Map<String, String> env) throws IOException, InterruptedException {
        synchronized (services) {
            if (closed) {
                throw new IOException("the stack is stopped");
            }
            if (services.get(service).isAlive()) {
                throw new IllegalStateException(service.module() + " is still running");
            }
            services.put(service, launch(service, jar(settings.home(), service), env));
        }
        awaitReady(service);
    }

    static Path jar(Path home, Service service) {
        return home.resolve(service.module()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private Process launch(Service service, Path jar, Map<String, String> extraEnv) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(BoothHome.javaExecutable().toString(), "-Xmx384m",
                "-XX:+UseSerialGC", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.logFile(service.module()).toFile()));
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(settings.servicePorts().get(service)));
        env.put("QUARKUS_HTTP_HOST", service == Service.GATEWAY ? settings.gatewayHost() : Loopback.ADDRESS);
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafkaBootstrap());
        env.put("BOOTH_S3_ENDPOINT", infra.s3Endpoint());
        env.put("BOOTH_S3_ACCESS_KEY", settings.infra().accessKey());
        env.put("BOOTH_S3_SECRET_KEY", settings.infra().secretKey());
        env.put("BOOTH_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        if (service == Service.GATEWAY) {
            env.put("BOOTH_GATEWAY_KEYS_FILE", settings.keysFile().toString());
            env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(settings.gatewayManagementPort()));
            env.put("QUARKUS_MANAGEMENT_HOST", Loopback.ADDRESS); // even when BOOTH_GATEWAY_HOST opens the API
        }
        if (service == Service.SAMPLER || service == Service.TRAINER) {
            engineEnvironment(env, service);
        }
        env.putAll(extraEnv);
        return builder.start();
    }

    /**
     * The workers run the engine: the allocator settings of {@code ./bench}, a model cache under the data folder,
     * the fixture model as demo model {@code sd-tiny} and, when it is there, Booth world's model as {@code booth-world}
     * (installed by whichever worker starts first, before it reports ready, so the stack is up only once the models
     * are listed).
     */
    private void engineEnvironment(Map<String, String> env, Service service) {
        env.putIfAbsent("MALLOC_MMAP_THRESHOLD_", "33554432");
        env.putIfAbsent("MALLOC_TRIM_THRESHOLD_", "68719476736");
        env.putIfAbsent("THP_MEM_ALLOC_ENABLE", "1");
        env.put("BOOTH_CACHE_DIR", settings.dataDir().resolve("cache").resolve(service.module()).toString());
        env.put("BOOTH_MODELS_DEMO_DIR", settings.home().resolve("fixtures/sd-tiny/model").toString());
        Path world = settings.home().resolve("models/booth-world");
        if (Files.isRegularFile(world.resolve("model_index.json"))) {
            env.put("BOOTH_MODELS_WORLD_DIR", world.toString());
        }
        if (service == Service.TRAINER) {
            env.put("BOOTH_TRAINER_WORK_DIR", settings.dataDir().resolve("work").resolve(service.module()).toString());
        }
    }

    private void awaitReady(Service service) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(operationsUrl(service).resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!services.get(service).isAlive()) {
                throw new IOException(service.module() + " exited with " + services.get(service).exitValue()
                        + "; see " + settings.logFile(service.module()));
            }
            try {
                HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException(service.module() + " not ready within " + READY_TIMEOUT + ": " + last + "; see "
                + settings.logFile(service.module()));
    }

    /** Stops the services (SIGTERM, then kill after 30 s), then the infrastructure; safe to call more than once. */
    @Override
    public void close() {
        List<Process> running;
        synchronized (services) {
            closed = true;
            running = new ArrayList<>(services.values());
        }
        running.forEach(Process::destroy);
        for (Process process : running) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (infra != null) {
            infra.close();
        }
    }
}
