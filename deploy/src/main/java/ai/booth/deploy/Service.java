package ai.booth.deploy;

/** The four Booth services: the module that builds each one and its default HTTP port. */
public enum Service {
    DATASET("dataset-service", 8081),
    TRAINER("trainer-service", 8082),
    SAMPLER("sampler-service", 8083),
    GATEWAY("gateway", 8080);

    private final String module;
    private final int defaultPort;

    Service(String module, int defaultPort) {
        this.module = module;
        this.defaultPort = defaultPort;
    }

    public String module() {
        return module;
    }

    public int defaultPort() {
        return defaultPort;
    }
}
