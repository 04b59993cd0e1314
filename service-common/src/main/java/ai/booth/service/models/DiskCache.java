package ai.booth.service.models;

import ai.booth.diffusion.io.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Named entries (folders) under a root, evicted least recently used first when their total size would exceed a
 * budget. An entry is pinned while in use and never evicted then. Entries are filled in a temporary folder and
 * moved into place, so a crash leaves no half entry (leftover temporaries are deleted at start). Survives restarts:
 * existing entries are adopted, oldest modification first. Fills are serialised; a worker runs one job at a time.
 */
final class DiskCache {

    /** Writes an entry's files into the given (empty, existing) folder. */
    interface Filler {
        void fill(Path folder) throws IOException;
    }

    private static final String TEMP_PREFIX = ".tmp-";

    private static final class Entry {
        final Path folder;
        final long bytes;
        int pins;

        Entry(Path folder, long bytes) {
            this.folder = folder;
            this.bytes = bytes;
        }
    }

    private final Path root;
    private final long maxBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long usedBytes;

    DiskCache(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(root);
            try (Stream<Path> folders = Files.list(root)) {
                for (Path folder : folders.sorted(Comparator.comparing(DiskCache::modified)).toList()) {
                    String name = folder.getFileName().toString();
                    if (name.startsWith(TEMP_PREFIX) || !Files.isDirectory(folder)) {
                        FileTrees.delete(folder);
                    } else {
                        add(name, folder);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open cache folder " + root, e);
        }
    }

    /**
     * The pinned folder of entry {@code name}, filled first when absent after evicting unpinned entries until
     * {@code expectedBytes} more fit the budget. The entry counts what the filler actually wrote: when that is more
     * than expected, further unpinned entries are evicted once it is in place. Callers {@link #unpin} it when done.
     */
    synchronized Path pin(String name, long expectedBytes, Filler filler) {
        Entry entry = entries.get(name);
        if (entry == null) {
            if (expectedBytes > maxBytes) {
                throw new ModelCacheException(ModelCacheException.CACHE_TOO_SMALL, name + " needs " + expectedBytes
                        + " bytes but the cache holds at most " + maxBytes + " (booth.cache.max-bytes)");
            }
            evictFor(expectedBytes);
            entry = add(name, fill(name, filler));
            if (entry.bytes > maxBytes) {
                discard(name);
                throw new ModelCacheException(ModelCacheException.CACHE_TOO_SMALL, name + " needs " + entry.bytes
                        + " bytes but the cache holds at most " + maxBytes + " (booth.cache.max-bytes)");
            }
            entry.pins++;
            evictFor(0); // the filler may have written more than expected (a file named by what it downloaded)
            return entry.folder;
        }
        entry.pins++;
        return entry.folder;
    }

    synchronized void unpin(String name) {
        Entry entry = entries.get(name);
        if (entry != null && entry.pins > 0) {
            entry.pins--;
        }
    }

    /** Drops an entry whatever its pins (its content turned out wrong); the next {@link #pin} fills it afresh. */
    synchronized void discard(String name) {
        Entry entry = entries.remove(name);
        if (entry != null) {
            usedBytes -= entry.bytes;
            FileTrees.delete(entry.folder);
        }
    }

    synchronized long usedBytes() {
        return usedBytes;
    }

    synchronized boolean contains(String name) {
        return entries.containsKey(name);
    }

    private void evictFor(long bytes) {
        Iterator<Map.Entry<String, Entry>> eldestFirst = entries.entrySet().iterator();
        while (usedBytes + bytes > maxBytes && eldestFirst.hasNext()) {
            Entry entry = eldestFirst.next().getValue();
            if (entry.pins == 0) {
                eldestFirst.remove();
                usedBytes -= entry.bytes;
                FileTrees.delete(entry.folder);
            }
        }
    }

    private Path fill(String name, Filler filler) {
        Path temp = root.resolve(TEMP_PREFIX + name + "-" + System.nanoTime());
        try {
            Files.createDirectories(temp);
            filler.fill(temp);
            Path folder = root.resolve(name);
            try {
                Files.move(temp, folder, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, folder);
            }
            return folder;
        } catch (IOException e) {
            FileTrees.delete(temp);
            throw new UncheckedIOException("cannot fill cache entry " + name + " in " + root, e);
        } catch (RuntimeException e) {
            FileTrees.delete(temp);
            throw e;
        }
    }

    private Entry add(String name, Path folder) {
        Entry entry = new Entry(folder, FileTrees.size(folder));
        entries.put(name, entry);
        usedBytes += entry.bytes;
        return entry;
    }

    private static long modified(Path path) {
        try {
            return Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
