package ai.booth.deploy;

import ai.booth.infra.FreePorts;
import ai.booth.infra.InfraProcess;
import ai.booth.infra.Loopback;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where the local stack keeps its data and which ports it uses.
 *
 * @param home          the Booth checkout holding the built modules
 * @param dataDir       Kafka log, S3 buckets and service logs live under it
 * @param infra         broker and S3 server settings
 * @param servicePorts  HTTP port of each service
 * @param gatewayHost   the address the gateway listens on; the workers, the broker and S3 listen on loopback only
 * @param gatewayManagementPort the gateway's health and metrics (its management interface), on loopback only
 */
public record StackSettings(Path home, Path dataDir, InfraProcess.Settings infra, Map<Service, Integer> servicePorts,
                            String gatewayHost, int gatewayManagementPort) {

    /** The README's defaults, each overridable by environment variable (see README "Configuration"). */
    public static StackSettings fromEnvironment(Path home, Map<String, String> env) {
        Path data = Path.of(env.getOrDefault("BOOTH_DATA", home.resolve("data").toString())).toAbsolutePath();
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, port(env, "BOOTH_" + service.name() + "_PORT", service.defaultPort()));
        }
        var infra = new InfraProcess.Settings(data, port(env, "BOOTH_KAFKA_PORT", 9092),
                port(env, "BOOTH_KAFKA_CONTROLLER_PORT", 9093), port(env, "BOOTH_S3_PORT", 9000),
                env.getOrDefault("BOOTH_S3_ACCESS_KEY", "booth"),
                env.getOrDefault("BOOTH_S3_SECRET_KEY", "booth-secret"), data.resolve("logs/infra.log"));
        // a laptop's stack is not reachable from its network unless BOOTH_GATEWAY_HOST says so
        return new StackSettings(home, data, infra, ports,
                env.getOrDefault("BOOTH_GATEWAY_HOST", Loopback.ADDRESS).trim(),
                port(env, "BOOTH_GATEWAY_MANAGEMENT_PORT", 8090));
    }

    /**
     * Free ports everywhere and data under {@code dataDir}: for tests next to other running stacks. The broker's and
     * S3's ports are fixed too, so the infrastructure can restart where the services expect it.
     */
    public static StackSettings ephemeral(Path home, Path dataDir) {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        int services = Service.values().length;
        int[] free = FreePorts.any(services + 4);
        for (Service service : Service.values()) {
            ports.put(service, free[service.ordinal()]);
        }
        var infra = InfraProcess.Settings.ephemeral(dataDir);
        return new StackSettings(home, dataDir, new InfraProcess.Settings(dataDir, free[services], free[services + 1],
                free[services + 2], infra.accessKey(), infra.secretKey(), dataDir.resolve("logs/infra.log")), ports,
                Loopback.ADDRESS, free[services + 3]);
    }

    /** The gateway's API keys ({@code ./booth key create}); the gateway re-reads it when it changes. */
    public Path keysFile() {
        return dataDir.resolve("gateway").resolve("keys.tsv");
    }

    public Path logFile(String component) {
        return dataDir.resolve("logs").resolve(component + ".log");
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, got '" + value + "'");
        }
    }
}
