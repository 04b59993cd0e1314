package ai.booth.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts {@link LocalInfra} in a child JVM from the built {@code local-infra} module and stops it again. Uses only
 * the JDK, so Quarkus tests and the launcher can depend on this jar without the server's dependencies. The child
 * exits when this JVM dies (it watches its stdin), so no broker outlives a killed test run; through the same stdin it
 * stops and starts its broker on request ({@link #stopKafka()}).
 */
public final class InfraProcess implements AutoCloseable {

    /**
     * Where and how to run the infrastructure.
     *
     * @param dataDir         Kafka log and S3 buckets live under it
     * @param kafkaPort       broker port, 0 for any free port
     * @param controllerPort  KRaft controller port, 0 for any free port
     * @param s3Port          S3 port, 0 for any free port
     * @param accessKey       S3 access key
     * @param secretKey       S3 secret key
     * @param logFile         where the child's output goes
     */
    public record Settings(Path dataDir, int kafkaPort, int controllerPort, int s3Port, String accessKey,
                           String secretKey, Path logFile) {

        /** Free ports and fixed test credentials, for tests that start their own infrastructure. */
        public static Settings ephemeral(Path dataDir) {
            return new Settings(dataDir, 0, 0, 0, "booth-test", "booth-test-secret", dataDir.resolve("infra.log"));
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(1);
    /** Queued in place of an answer when the child's output ends. */
    private static final String EXITED = "(no answer: the process exited)";

    private final Process process;
    private final Settings settings;
    private final String kafkaBootstrap;
    private final String s3Endpoint;
    private final BlockingQueue<String> answers;

    private InfraProcess(Process process, Settings settings, String kafkaBootstrap, String s3Endpoint,
                         BlockingQueue<String> answers) {
        this.process = process;
        this.settings = settings;
        this.kafkaBootstrap = kafkaBootstrap;
        this.s3Endpoint = s3Endpoint;
        this.answers = answers;
    }

    /** Starts the child and waits until it reports both servers ready. */
    public static InfraProcess start(Settings settings) throws IOException, InterruptedException {
        Files.createDirectories(settings.dataDir());
        List<String> command = new ArrayList<>(List.of(BoothHome.javaExecutable().toString(), "-Xmx512m",
                "-XX:+UseSerialGC", "-cp", classpath(), LocalInfra.class.getName(),
                "--data", settings.dataDir().toString(),
                "--kafka-port", String.valueOf(settings.kafkaPort()),
                "--controller-port", String.valueOf(settings.controllerPort()),
                "--s3-port", String.valueOf(settings.s3Port()),
                "--access-key", settings.accessKey(), "--secret-key", settings.secretKey(),
                "--exit-on-stdin-eof"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        CompletableFuture<String> ready = pumpOutput(process, settings.logFile(), answers);
        try {
            String line = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String kafka = field(line, "kafka=");
            String s3 = field(line, "s3=");
            return new InfraProcess(process, settings, kafka, s3, answers);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            String cause = e instanceof TimeoutException ? "did not report READY within " + START_TIMEOUT
                    : e.getCause().getMessage();
            throw new IOException("local infrastructure " + cause + "; see " + settings.logFile(), e);
        }
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String s3Endpoint() {
        return s3Endpoint;
    }

    public Settings settings() {
        return settings;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * Stops the broker (a clean shutdown inside the child; S3 stays up) and returns once it is down: clients see
     * a lost broker until {@link #startKafka()}.
     */
    public void stopKafka() throws IOException, InterruptedException {
        run(LocalInfra.Command.KAFKA_STOP);
    }

    /** Starts the stopped broker again on the same ports and log, and returns once it serves. */
    public void startKafka() throws IOException, InterruptedException {
        run(LocalInfra.Command.KAFKA_START);
    }

    /** Writes the command to the child's stdin and waits for its answer; anything but "done" is an IOException. */
    private synchronized void run(LocalInfra.Command command) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            throw new IOException("local infrastructure exited with " + process.exitValue() + " before '"
                    + command.line + "'; see " + settings.logFile());
        }
        answers.clear(); // an answer that came after its command timed out
        try {
            process.getOutputStream().write((command.line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw new IOException("cannot send '" + command.line + "' to the local infrastructure (" + e
                    + "); see " + settings.logFile(), e);
        }
        String answer = answers.poll(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!command.done.equals(answer)) {
            throw new IOException("local infrastructure " + (answer == null ? "did not answer '" + command.line
                    + "' within " + COMMAND_TIMEOUT : "answered '" + command.line + "' with " + answer) + "; see "
                    + settings.logFile());
        }
    }

    /** Closes the child's stdin (it shuts down cleanly), then kills it if it lingers. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The built module's classes plus its runtime classpath, as written by the build. */
    static String classpath() throws IOException {
        Path module = BoothHome.root().resolve("local-infra");
        Path classes = module.resolve("target/classes");
        Path dependencies = module.resolve("target/runtime-classpath.txt");
        if (!Files.isDirectory(classes) || !Files.isRegularFile(dependencies)) {
            throw new IOException("local-infra is not built (missing " + classes + " or " + dependencies
                    + "); run: mvn -B -DskipTests package");
        }
        return classes + java.io.File.pathSeparator + Files.readString(dependencies).trim();
    }

    /**
     * Copies the child's output to the log file, completes with the READY line (or fails when it exits), and queues
     * the answers to commands (then {@link #EXITED} once the output ends).
     */
    private static CompletableFuture<String> pumpOutput(Process process, Path logFile, BlockingQueue<String> answers)
            throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        PrintStream log = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8);
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            Deque<String> tail = new ArrayDeque<>();
            try (log; BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    log.println(line);
                    if (line.startsWith(LocalInfra.READY + " ")) {
                        ready.complete(line);
                    } else if (LocalInfra.Command.isAnswer(line)) {
                        answers.add(line);
                    }
                    tail.addLast(line);
                    if (tail.size() > 20) {
                        tail.removeFirst();
                    }
                }
            } catch (IOException e) {
                // the child is gone; handled below
            }
            answers.add(EXITED);
            ready.completeExceptionally(new IOException("exited before READY; last output:\n"
                    + String.join("\n", tail)));
        }, "local-infra-output");
        pump.setDaemon(true);
        pump.start();
        return ready;
    }

    private static String field(String line, String prefix) {
        for (String part : line.split(" ")) {
            if (part.startsWith(prefix)) {
                return part.substring(prefix.length());
            }
        }
        throw new IllegalStateException("no " + prefix + " in '" + line + "'");
    }
}
