package ai.booth.service;

import ai.booth.diffusion.io.FileTrees;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Temporary files and folders of a service, named with its process id ({@code booth-<what>-<pid>-…}), so the next
 * start sweeps away what a killed process left behind (SIGKILL and the OOM killer run no {@code finally} and no
 * {@code deleteOnExit}) — and only that: entries of processes still alive stay, as several services and replicas
 * may share a host's temporary folder.
 */
public final class ProcessTemp {

    private static final Logger LOG = Logger.getLogger(ProcessTemp.class);
    private static final Pattern OWNED = Pattern.compile("booth-([a-z-]+)-(\\d+)-.*");

    private ProcessTemp() {
    }

    /** A new folder of this process in the temporary folder; the caller deletes it when done. */
    public static Path directory(String what) throws IOException {
        return Files.createTempDirectory(root(), prefix(what));
    }

    /** A new file of this process in the temporary folder; the caller deletes it when done. */
    public static Path file(String what, String suffix) throws IOException {
        return Files.createTempFile(root(), prefix(what), suffix);
    }

    /** Deletes the {@code what} entries of processes that no longer run; answers how many went. */
    public static int sweep(String what) {
        return sweep(root(), what);
    }

    static int sweep(Path root, String what) {
        int swept = 0;
        try (Stream<Path> entries = Files.list(root)) {
            for (Path entry : entries.toList()) {
                Matcher m = OWNED.matcher(entry.getFileName().toString());
                if (m.matches() && m.group(1).equals(what) && !running(Long.parseLong(m.group(2)))) {
                    try {
                        FileTrees.delete(entry);
                        swept++;
                    } catch (UncheckedIOException e) {
                        LOG.warnf("cannot delete %s, left by an earlier process: %s", entry, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warnf("cannot list %s to sweep what earlier processes left: %s", root, e);
        }
        if (swept > 0) {
            LOG.infof("deleted %d temporary %s entries that killed processes left in %s", swept, what, root);
        }
        return swept;
    }

    static String prefix(String what) {
        return "booth-" + what + "-" + ProcessHandle.current().pid() + "-";
    }

    private static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static Path root() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
