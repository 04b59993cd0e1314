package ai.booth.infra;

/** The one address every server of a local stack binds to: nothing of it answers from the network. */
public final class Loopback {

    public static final String ADDRESS = "127.0.0.1";

    private Loopback() {
    }
}
