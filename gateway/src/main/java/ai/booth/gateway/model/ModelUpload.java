package ai.booth.gateway.model;

import ai.booth.gateway.dataset.DatasetUpload;
import ai.booth.gateway.http.Problem;
import ai.booth.gateway.http.ProblemException;
import ai.booth.gateway.http.TempFolders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A model arriving over HTTP, spooled to a private temporary folder: a {@code .safetensors} single file, or a zip of
 * a diffusers folder (with its root file — {@code model_index.json} for a base model, {@code config.json} for a
 * ControlNet — at the zip's root or in its one top-level folder). The byte limit is enforced while the body arrives
 * and again while the zip expands; closing deletes everything.
 */
final class ModelUpload implements AutoCloseable {

    private static final int MAX_ENTRIES = 10_000;

    private final Path dir;
    private final Path model;

    private ModelUpload(Path dir, Path model) {
        this.dir = dir;
        this.model = model;
    }

    /** The folder or file to hand to the registry. */
    Path model() {
        return model;
    }

    /** A new empty folder beside the upload, deleted with it. */
    Path folder(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /**
     * Reads the body ({@code fileName}: what a single file is called in the registry; {@code rootFile}: the file
     * that marks a zipped folder's root), or throws 400/413.
     */
    static ModelUpload read(InputStream body, String fileName, String rootFile, long maxBytes) throws IOException {
        Path dir = Files.createTempDirectory("booth-model-");
        try {
            Path spooled = dir.resolve("upload");
            copy(body, spooled, maxBytes, "the upload");
            if (!isZip(spooled)) {
                Path file = dir.resolve(fileName);
                Files.move(spooled, file);
                return new ModelUpload(dir, file);
            }
            Path folder = dir.resolve("model");
            unzip(spooled, folder, maxBytes);
            Files.delete(spooled);
            return new ModelUpload(dir, diffusersRoot(folder, rootFile));
        } catch (IOException | RuntimeException e) {
            TempFolders.delete(dir);
            throw e;
        }
    }

    private static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(DatasetUpload.ZIP.length), DatasetUpload.ZIP);
        }
    }

    private static void copy(InputStream in, Path to, long limit, String what) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(to)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > limit) {
                    throw ProblemException.tooLarge(what + " is over the model limit of " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
    }

    /** Expands the archive; absolute paths, '..' and more than the byte limit in all are refused. */
    private static void unzip(Path zip, Path folder, long limit) throws IOException {
        Files.createDirectories(folder);
        long left = limit;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                if (++entries > MAX_ENTRIES) {
                    throw invalid("the zip has more than " + MAX_ENTRIES + " entries");
                }
                Path target = folder.resolve(entry.getName()).normalize();
                if (entry.getName().startsWith("/") || !target.startsWith(folder)) {
                    throw invalid("zip entry '" + entry.getName() + "' points outside the archive");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                long before = Files.exists(target) ? Files.size(target) : 0;
                copy(in, target, left, "the unpacked zip");
                left -= Files.size(target) - before;
            }
        } catch (java.util.zip.ZipException e) {
            throw invalid("the zip is corrupt: " + e.getMessage());
        }
    }

    /** The folder holding {@code rootFile}: the archive's root or its single top-level folder. */
    private static Path diffusersRoot(Path folder, String rootFile) throws IOException {
        if (Files.isRegularFile(folder.resolve(rootFile))) {
            return folder;
        }
        try (Stream<Path> children = Files.list(folder)) {
            List<Path> dirs = children.filter(Files::isDirectory).toList();
            if (dirs.size() == 1 && Files.isRegularFile(dirs.get(0).resolve(rootFile))) {
                return dirs.get(0);
            }
        }
        throw invalid("the zip holds no diffusers folder: " + rootFile + " is neither at its root nor in its one"
                + " top-level folder");
    }

    private static ProblemException invalid(String detail) {
        return ProblemException.invalid(List.of(new Problem.FieldError("body", detail)));
    }

    @Override
    public void close() {
        TempFolders.delete(dir);
    }
}
