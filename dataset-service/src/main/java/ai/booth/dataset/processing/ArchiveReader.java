package ai.booth.dataset.processing;

import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.RejectedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import static ai.booth.dataset.processing.Rejection.ARCHIVE_TOO_LARGE;
import static ai.booth.dataset.processing.Rejection.CORRUPT;
import static ai.booth.dataset.processing.Rejection.FILE_TOO_LARGE;
import static ai.booth.dataset.processing.Rejection.NESTED_ARCHIVE;
import static ai.booth.dataset.processing.Rejection.TOO_MANY_FILES;
import static ai.booth.dataset.processing.Rejection.UNSAFE_PATH;

/**
 * Unpacks the zip archives of one upload into a work directory, trusting nothing the archive declares: bytes are
 * counted as they inflate (per entry against {@link DatasetLimits#maxFileBytes}, over all archives of the upload
 * against {@link DatasetLimits#maxExpandedBytes}), entries are counted, and entry names are only reported, never
 * used as paths (files are numbered), so a {@code ../} name cannot escape, but it is rejected all the same.
 * {@code name.txt} beside {@code name.jpg} becomes that image's caption; {@code __MACOSX/} and dotfiles are skipped.
 */
public final class ArchiveReader {

    /** Caption files longer than this are not captions. */
    static final int MAX_CAPTION_BYTES = 16 * 1024;

    private final DatasetLimits limits;
    private final Path workDir;
    private long expanded;
    private int spooled;

    /**
     * What one archive held.
     *
     * @param images    candidate images, captions attached, in archive order
     * @param rejected  entries refused, with reasons
     * @param notes     what was skipped and why
     */
    public record Contents(List<UploadFile> images, List<RejectedFile> rejected, List<String> notes) {
    }

    public ArchiveReader(DatasetLimits limits, Path workDir) {
        this.limits = limits;
        this.workDir = workDir;
    }

    /**
     * The entries of a zip archive, or {@link Rejection.Rejected} when the archive as a whole is refused (too large
     * expanded, too many entries, not a readable zip).
     */
    public Contents read(String archiveName, InputStream zip) {
        List<Spooled> files = new ArrayList<>();
        Map<String, String> captions = new LinkedHashMap<>();
        List<RejectedFile> rejected = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int entries = 0;
        int skipped = 0;
        try (ZipInputStream in = new ZipInputStream(zip, StandardCharsets.UTF_8)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (++entries > limits.maxArchiveEntries()) {
                    throw TOO_MANY_FILES.with("archive has more than " + limits.maxArchiveEntries() + " entries");
                }
                String name = entry.getName();
                String source = archiveName + "!" + name;
                if (isUnsafe(name)) {
                    drain(in);
                    rejected.add(UNSAFE_PATH.with("entry name '" + name + "' is absolute or climbs out with '..'")
                            .of(source));
                } else if (entry.isDirectory()) {
                    drain(in);
                } else if (isSystemFile(name)) {
                    drain(in);
                    skipped++;
                } else if (name.toLowerCase(Locale.ROOT).endsWith(".txt")) {
                    caption(in, name).ifPresentOrElse(text -> captions.put(stem(name), text),
                            () -> notes.add(source + ": not used as a caption (over " + MAX_CAPTION_BYTES + " bytes)"));
                } else {
                    try {
                        files.add(spool(in, name, source));
                    } catch (Rejection.Rejected e) {
                        if (e.reason() == ARCHIVE_TOO_LARGE) {
                            throw e;
                        }
                        rejected.add(e.of(source));
                    }
                }
            }
        } catch (ZipException e) {
            throw CORRUPT.with("not a readable zip archive: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read archive " + archiveName, e);
        }
        if (entries == 0) {
            throw CORRUPT.with("not a zip archive with entries");
        }
        if (skipped > 0) {
            notes.add(archiveName + ": skipped " + skipped + " system file(s) (__MACOSX, dotfiles)");
        }
        List<UploadFile> images = new ArrayList<>();
        Map<String, Boolean> used = new HashMap<>();
        for (Spooled file : files) {
            String caption = captions.get(stem(file.name()));
            if (caption != null) {
                used.put(stem(file.name()), true);
            }
            images.add(UploadFile.uploaded(file.source(), file.path(), caption));
        }
        captions.keySet().stream().filter(stem -> !used.containsKey(stem))
                .forEach(stem -> notes.add(archiveName + "!" + stem + ".txt: no image beside it, not used"));
        return new Contents(images, rejected, notes);
    }

    private record Spooled(String name, String source, Path path) {
    }

    /** Copies an entry to a numbered file, counting bytes; refuses oversize entries and archives inside archives. */
    private Spooled spool(InputStream in, String name, String source) throws IOException {
        Path file = workDir.resolve("entry-" + (++spooled));
        long size = 0;
        byte[] head = new byte[0];
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                size += n;
                count(n);
                if (size > limits.maxFileBytes()) {
                    drain(in);
                    throw FILE_TOO_LARGE.with("over " + limits.maxFileBytes() + " bytes uncompressed");
                }
                if (head.length == 0) {
                    head = Arrays.copyOf(buffer, Math.min(n, 512));
                }
                out.write(buffer, 0, n);
            }
        } catch (Rejection.Rejected e) {
            Files.deleteIfExists(file);
            throw e;
        }
        Optional<String> archive = archiveType(head);
        if (archive.isPresent()) {
            Files.delete(file);
            throw NESTED_ARCHIVE.with("a " + archive.get() + " archive inside an archive is not unpacked");
        }
        return new Spooled(name, source, file);
    }

    private Optional<String> caption(InputStream in, String name) throws IOException {
        byte[] text = in.readNBytes(MAX_CAPTION_BYTES + 1);
        count(text.length);
        if (text.length > MAX_CAPTION_BYTES) {
            drain(in);
            return Optional.empty();
        }
        return Optional.of(new String(text, StandardCharsets.UTF_8).strip());
    }

    /** Reads the rest of an entry, counting it: skipping inflates too, so a bomb is caught while skipped. */
    private void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
            count(n);
        }
    }

    private void count(long bytes) {
        expanded += bytes;
        if (expanded > limits.maxExpandedBytes()) {
            throw ARCHIVE_TOO_LARGE.with("archives expand to more than " + limits.maxExpandedBytes() + " bytes");
        }
    }

    /** Absolute (/x, \x, C:x) or climbing (a/../../x) names: harmless here, hostile anywhere else. */
    static boolean isUnsafe(String name) {
        String path = name.replace('\\', '/');
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            return true;
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    static boolean isSystemFile(String name) {
        String path = name.replace('\\', '/');
        String last = path.substring(path.lastIndexOf('/') + 1);
        return path.startsWith("__MACOSX/") || path.contains("/__MACOSX/") || last.startsWith(".");
    }

    /** The archive format of a file's first bytes (zip, gzip, 7z, rar, bzip2, xz, tar), if it is one. */
    public static Optional<String> archiveType(byte[] head) {
        if (ImageProbe.startsWith(head, 0, new byte[] {'P', 'K', 3, 4})
                || ImageProbe.startsWith(head, 0, new byte[] {'P', 'K', 5, 6})
                || ImageProbe.startsWith(head, 0, new byte[] {'P', 'K', 7, 8})) {
            return Optional.of("zip");
        }
        if (ImageProbe.startsWith(head, 0, new byte[] {0x1F, (byte) 0x8B})) {
            return Optional.of("gzip");
        }
        if (ImageProbe.startsWith(head, 0, new byte[] {'7', 'z', (byte) 0xBC, (byte) 0xAF, 0x27, 0x1C})) {
            return Optional.of("7z");
        }
        if (ImageProbe.startsWith(head, 0, ImageProbe.ascii("Rar!"))) {
            return Optional.of("rar");
        }
        if (ImageProbe.startsWith(head, 0, ImageProbe.ascii("BZh"))) {
            return Optional.of("bzip2");
        }
        if (ImageProbe.startsWith(head, 0, new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0})) {
            return Optional.of("xz");
        }
        if (ImageProbe.startsWith(head, 257, ImageProbe.ascii("ustar"))) {
            return Optional.of("tar");
        }
        return Optional.empty();
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > name.lastIndexOf('/') ? name.substring(0, dot) : name;
    }
}
