package ai.booth.deploy;

import ai.booth.infra.BoothHome;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./booth up}: starts the whole stack on embedded infrastructure, prints where everything is, and stops it
 * all on Ctrl-C or SIGTERM (or when a service dies on its own).
 */
public final class Launcher {

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
        System.out.println("  Gateway:    " + gateway);
        System.out.println("  Swagger UI: " + gateway + "/q/swagger-ui");
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
