package ai.booth.deploy;

import ai.booth.infra.BoothHome;
import ai.booth.keys.ApiKeyStore;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./booth up}: starts the whole stack on embedded infrastructure, prints where everything is, and stops it
 * all on Ctrl-C or SIGTERM (or when a service dies on its own).
 */
public final class Launcher {

    static final String DEMO_OWNER = "demo";

    public static void main(String[] args) throws Exception {
        StackSettings settings = StackSettings.fromEnvironment(BoothHome.root(), System.getenv());
        System.out.println("Booth: starting (data in " + settings.dataDir() + ")");
        Stack stack = new Stack(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            System.out.println("Booth: stopping");
            stack.close();
            stopped.countDown();
        }, "booth-stop"));
        stack.start(line -> System.out.println("  " + line));

        String gateway = stack.url(Service.GATEWAY).toString();
        System.out.println("Booth is up.");
        System.out.println("  Gateway:    " + gateway + "   (web client: open it in a browser)");
        System.out.println("  Swagger UI: " + gateway + "/q/swagger-ui");
        ApiKeyStore keys = new ApiKeyStore(settings.keysFile());
        if (keys.list().isEmpty()) { // the very first start: a key to sign in with at once
            ApiKeyStore.Created demo = keys.create(DEMO_OWNER, "demo", "standard");
            System.out.println("  API key:    " + demo.keyText() + "   (owner " + DEMO_OWNER
                    + "; shown only now, stored hashed in " + settings.keysFile() + ")");
        } else {
            System.out.println("  API keys:   " + keys.list().size() + " in " + settings.keysFile()
                    + " (./booth key create --owner NAME for another)");
        }
        System.out.println("Press Ctrl-C to stop.");

        while (!stopped.await(1, TimeUnit.SECONDS)) {
            Optional<Service> dead = stack.exited();
            if (dead.isPresent() && !stopping.get()) {
                System.out.println("Booth: " + dead.get().module() + " exited; see "
                        + settings.logFile(dead.get().module()));
                System.exit(1); // runs the shutdown hook
            }
        }
    }

    private Launcher() {
    }
}
