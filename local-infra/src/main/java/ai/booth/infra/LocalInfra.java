package ai.booth.infra;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Topics;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs Booth's infrastructure in this JVM: a Kafka broker and an S3 server with every topic and bucket created, data
 * under one directory. Prints {@value #READY} followed by {@code kafka=<bootstrap> s3=<endpoint>} on stdout once
 * both accept connections, and stops on SIGTERM/Ctrl-C, or when stdin closes if started with --exit-on-stdin-eof
 * (so it dies with the process that started it). Started so, it also runs the {@link Command}s its parent writes on
 * stdin, so a fault test can take the broker away while S3 stays up.
 */
public final class LocalInfra {

    public static final String READY = "READY";
    /** Begins the answer to a command that failed: {@code FAILED <command>: <error>}. */
    public static final String FAILED = "FAILED";
    static final String USAGE = "usage: LocalInfra --data DIR [--kafka-port 9092] [--controller-port 9093]"
            + " [--s3-port 9000] [--access-key KEY] [--secret-key SECRET] [--partitions 3] [--exit-on-stdin-eof]"
            + " (port 0 = any free port)";

    /** A line the parent may write on stdin, and the line printed on stdout once it is done. */
    public enum Command {
        /** Stops the broker (a clean shutdown); S3 stays up. */
        KAFKA_STOP("kafka stop", "KAFKA STOPPED"),
        /** Starts the stopped broker again on the same ports and log. */
        KAFKA_START("kafka start", "KAFKA STARTED");

        public final String line;
        public final String done;

        Command(String line, String done) {
            this.line = line;
            this.done = done;
        }

        /**
         * Whether a line of output answers a command (it is not the servers' own logging). Here, not in LocalInfra:
         * InfraProcess runs without the servers' classes, which LocalInfra's code names.
         */
        public static boolean isAnswer(String line) {
            return line.startsWith(FAILED + " ") || Arrays.stream(values()).anyMatch(c -> c.done.equals(line));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        Path data = Path.of(require(options, "data")).toAbsolutePath();
        int[] kafkaPorts = FreePorts.freeIfZero(Integer.parseInt(options.getOrDefault("kafka-port", "9092")),
                Integer.parseInt(options.getOrDefault("controller-port", "9093")));
        int kafkaPort = kafkaPorts[0];
        int controllerPort = kafkaPorts[1];
        int s3Port = Integer.parseInt(options.getOrDefault("s3-port", "9000"));
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "3"));

        EmbeddedKafka kafka = new EmbeddedKafka(data.resolve("kafka"), kafkaPort, controllerPort, partitions);
        EmbeddedS3 s3 = new EmbeddedS3(data.resolve("s3"), s3Port, options.getOrDefault("access-key", "booth"),
                options.getOrDefault("secret-key", "booth-secret"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopQuietly(s3);
            stopQuietly(kafka);
            stopped.countDown();
        }, "local-infra-shutdown"));

        kafka.start();
        s3.start();
        kafka.createTopics(Topics.ALL, Topics::retentionMs);
        s3.createBuckets(Buckets.ALL);
        System.out.println(READY + " kafka=" + kafka.bootstrapServers() + " s3=" + s3.endpoint());
        System.out.flush();

        if (options.containsKey("exit-on-stdin-eof")) {
            // Ctrl-C reaches the whole process group; a managed broker must outlive the services that are still
            // leaving their consumer groups, so it stops only when its parent lets go of stdin.
            Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
            serveUntilEof(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), kafka);
        }
        stopped.await();
    }

    /** Runs the parent's commands, answering each on stdout, until it lets go of stdin; then exits. */
    private static void serveUntilEof(BufferedReader in, EmbeddedKafka kafka) {
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                System.out.println(run(line.strip(), kafka));
                System.out.flush();
            }
        } catch (IOException e) {
            // a broken pipe means the same: the parent is gone
        }
        System.exit(0);
    }

    private static String run(String line, EmbeddedKafka kafka) {
        try {
            Command command = Arrays.stream(Command.values()).filter(c -> c.line.equals(line)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown command; known: "
                            + Arrays.stream(Command.values()).map(c -> c.line).toList()));
            switch (command) {
                case KAFKA_STOP -> kafka.close();
                case KAFKA_START -> kafka.start();
            }
            return command.done;
        } catch (Exception e) {
            return FAILED + " " + line + ": " + e;
        }
    }

    private static void stopQuietly(AutoCloseable server) {
        try {
            server.close();
        } catch (Exception e) {
            System.err.println("error while stopping " + server.getClass().getSimpleName() + ": " + e);
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        List<String> flags = List.of("exit-on-stdin-eof");
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'; " + USAGE);
            }
            String name = args[i].substring(2);
            if (flags.contains(name)) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value; " + USAGE);
            }
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required; " + USAGE);
        }
        return value;
    }

    private LocalInfra() {
    }
}
