package ai.booth.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys file: one key per line, tab-separated ({@value #HEADER}), '#' lines are comments. Written whole to a
 * temporary file and moved into place, so a reader never sees half a file; re-read when it changes, so keys created
 * by {@code ./booth key create} work in a running gateway at once.
 */
public final class ApiKeyStore {

    static final String HEADER = "id, sha256, owner, name, tier, created, webhook secret";

    private final Path file;
    private Map<String, ApiKey> bySha256 = Map.of();
    private Version loadedVersion;

    public ApiKeyStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The key whose text this is, if it is stored (the file is re-read if it changed). */
    public synchronized Optional<ApiKey> find(String keyText) {
        if (keyText == null || !keyText.startsWith(Secrets.KEY_PREFIX)) {
            return Optional.empty();
        }
        refresh();
        return Optional.ofNullable(bySha256.get(Secrets.sha256(keyText)));
    }

    /** The key with this public id, if it is stored (the file is re-read if it changed). */
    public synchronized Optional<ApiKey> findById(String id) {
        refresh();
        return bySha256.values().stream().filter(key -> key.id().equals(id)).findFirst();
    }

    public synchronized List<ApiKey> list() {
        refresh();
        return List.copyOf(bySha256.values());
    }

    /** Creates and stores a key; the answer holds the key text, which is never stored and cannot be shown again. */
    public synchronized Created create(String ownerId, String name, String tier) {
        refresh();
        String text = Secrets.newApiKey();
        String sha = Secrets.sha256(text);
        ApiKey key = new ApiKey(sha.substring(0, 12), sha, ownerId, name, tier, Instant.now(),
                Secrets.newWebhookSecret());
        Map<String, ApiKey> next = new LinkedHashMap<>(bySha256);
        next.put(sha, key);
        write(next.values());
        bySha256 = next;
        return new Created(text, key);
    }

    /** Removes the key with this id; true if there was one. */
    public synchronized boolean revoke(String id) {
        refresh();
        Map<String, ApiKey> next = new LinkedHashMap<>(bySha256);
        if (!next.values().removeIf(key -> key.id().equals(id))) {
            return false;
        }
        write(next.values());
        bySha256 = next;
        return true;
    }

    /**
     * What identifies one written state of the file: every write moves a new file into place, so its file key
     * (device and inode) changes even when two writes share a modification time tick.
     */
    private record Version(Object fileKey, FileTime modified, long size) {
        static Version of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Version(a.fileKey(), a.lastModifiedTime(), a.size());
        }
    }

    /** A new key: its text (shown once) and what is stored. */
    public record Created(String keyText, ApiKey key) {
    }

    private void refresh() {
        try {
            Version version = Version.of(file);
            if (!version.equals(loadedVersion)) {
                bySha256 = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
                loadedVersion = version;
            }
        } catch (NoSuchFileException e) {
            bySha256 = Map.of();
            loadedVersion = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read API keys from " + file, e);
        }
    }

    private Map<String, ApiKey> parse(List<String> lines) {
        Map<String, ApiKey> keys = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            try {
                if (f.length != 7) {
                    throw new IllegalArgumentException("expected 7 tab-separated fields (" + HEADER + "), got "
                            + f.length);
                }
                keys.put(f[1], new ApiKey(f[0], f[1], f[2], f[3], f[4], Instant.parse(f[5]), f[6]));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new IllegalStateException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }

    private void write(Iterable<ApiKey> keys) {
        StringBuilder text = new StringBuilder("# Booth API keys, one per line: ").append(HEADER)
                .append(" (tab-separated)\n");
        for (ApiKey k : keys) {
            text.append(String.join("\t", k.id(), k.sha256(), k.ownerId(), k.name(), k.tier(),
                    k.created().toString(), k.webhookSecret())).append('\n');
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".keys-", ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            loadedVersion = Version.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write API keys to " + file, e);
        }
    }
}
