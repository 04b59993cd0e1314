package ai.booth.deploy;

import ai.booth.infra.BoothHome;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One stack for the IT classes that only use it ({@code @ExtendWith(SharedStack.class)}, then {@link #stack()}):
 * started by the first of them, stopped when the whole test run ends, its logs kept under
 * {@code target/stack-logs/SharedStack}. Each class works as its own owner, so they see nothing of each other; the
 * classes that assert on a stack's life (start, restart, stop: StackIT) or on a first visit (BrowserIT) start their
 * own. Starting a stack costs ~40 s of the suite.
 */
final class SharedStack implements BeforeAllCallback {

    private static volatile Stack stack;

    static Stack stack() {
        if (stack == null) {
            throw new IllegalStateException("the test class needs @ExtendWith(SharedStack.class)");
        }
        return stack;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Running running = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Running.class, type -> Running.start(), Running.class);
        stack = running.stack();
        for (Optional<Service> stopped = stack.exited(); stopped.isPresent(); stopped = stack.exited()) {
            // a class that kills a service starts it again; should one fail to, the next class still finds it up
            System.out.println("SharedStack: " + stopped.get() + " was left stopped; starting it for "
                    + context.getDisplayName());
            try {
                stack.restart(stopped.get());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The started stack, closed by JUnit when the run's root context closes. */
    private record Running(Stack stack, Path data) implements ExtensionContext.Store.CloseableResource {

        static Running start() {
            try {
                Path data = Files.createTempDirectory("booth-shared-stack");
                return new Running(new Stack(StackSettings.ephemeral(BoothHome.root(), data)).start(line -> { }), data);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the shared stack", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the shared stack started", e);
            }
        }

        @Override
        public void close() throws IOException {
            stack.close();
            StackLogs.keep(stack.settings(), SharedStack.class);
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
