package ai.booth.infra;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Topics;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs Booth's infrastructure in this JVM: a Kafka broker and an S3 server with every topic and bucket created, data
 * under one directory. Prints {@value #READY} followed by {@code kafka=<bootstrap> s3=<endpoint>} on stdout once
 * both accept connections, and stops on SIGTERM/Ctrl-C, or when stdin closes if started with --exit-on-stdin-eof
 * (so it dies with the process that started it).
 */
public final class LocalInfra {

    public static final String READY = "READY";
    static final String USAGE = "usage: LocalInfra --data DIR [--kafka-port 9092] [--controller-port 9093]"
            + " [--s3-port 9000] [--access-key KEY] [--secret-key SECRET] [--partitions 3] [--exit-on-stdin-eof]"
            + " (port 0 = any free port)";

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
            exitOnEof(System.in);
        }
        stopped.await();
    }

    private static void exitOnEof(InputStream in) {
        try {
            while (in.read() >= 0) {
                // the parent never writes; we only wait for it to go away
            }
        } catch (IOException e) {
            // a broken pipe means the same: the parent is gone
        }
        System.exit(0);
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
