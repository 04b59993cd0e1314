package ai.booth.gateway.dataset;

import ai.booth.gateway.http.TempFolders;
import ai.booth.gateway.http.MultipartReader;
import ai.booth.gateway.http.Problem;
import ai.booth.gateway.http.ProblemException;
import ai.booth.contracts.DatasetLimits;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A multipart dataset upload, read as it arrives: every {@code images} part is spooled to a private temp file while
 * its bytes are counted, and reading stops with 413 the moment a file passes its limit (an image's, or an
 * archive's when its first bytes say zip) or the upload passes its total — before anything reaches S3. Text fields
 * are kept as strings. Closing deletes the spool.
 */
public final class DatasetUpload implements AutoCloseable {

    static final String FILES_FIELD = "images";
    static final Set<String> TEXT_FIELDS = Set.of("subject", "instancePrompt", "cropMode", "resolution",
            "aspectBuckets", "dropNearDuplicates", "callbackUrl");
    private static final int MAX_TEXT_BYTES = 4096;
    /** The local-file-header signature every zip archive starts with. */
    public static final byte[] ZIP = {'P', 'K', 3, 4};

    /** One spooled file: the client's name, content type, where it is and how large. */
    record File(String fileName, String contentType, Path path, long size) {
    }

    private final Path dir;
    private final List<File> files = new ArrayList<>();
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final MessageDigest digest;
    private String sha256;

    private DatasetUpload(Path dir) {
        this.dir = dir;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the whole body, or throws (400, 413, or anything unexpected) with nothing left behind on disk. */
    static DatasetUpload read(InputStream body, String contentType, DatasetLimits limits) throws IOException {
        DatasetUpload upload = new DatasetUpload(Files.createTempDirectory("booth-upload-"));
        try {
            MultipartReader reader = new MultipartReader(body, contentType);
            long total = 0;
            for (MultipartReader.Part part = reader.next(); part != null; part = reader.next()) {
                upload.digest.update((part.name() + "\0" + part.fileName() + "\0").getBytes(StandardCharsets.UTF_8));
                if (part.name().equals(FILES_FIELD)) {
                    if (upload.files.size() == limits.maxFiles()) {
                        throw ProblemException.invalid(List.of(new Problem.FieldError(FILES_FIELD,
                                "must hold 1-" + limits.maxFiles() + " files; this upload has more")));
                    }
                    total += upload.spool(part, limits, limits.maxArchiveBytes() - total);
                } else if (TEXT_FIELDS.contains(part.name())) {
                    upload.fields.put(part.name(), upload.text(part));
                } else {
                    throw ProblemException.invalid(List.of(new Problem.FieldError(
                            MultipartReader.abbreviate(part.name()), "is not a form field of an upload; fields: "
                            + FILES_FIELD + ", " + TEXT_FIELDS)));
                }
            }
            if (upload.files.isEmpty()) {
                throw ProblemException.invalid(List.of(new Problem.FieldError(FILES_FIELD,
                        "must hold 1-" + limits.maxFiles() + " files (photos or zip archives), got none")));
            }
            upload.sha256 = HexFormat.of().formatHex(upload.digest.digest());
            return upload;
        } catch (Throwable e) { // every way out, errors included: the spool may hold 512 MiB
            upload.close();
            throw e;
        }
    }

    List<File> files() {
        return files;
    }

    String field(String name) {
        return fields.get(name);
    }

    /** SHA-256 over every field and file, in order: the same upload hashes the same. */
    String sha256() {
        return sha256;
    }

    private long spool(MultipartReader.Part part, DatasetLimits limits, long totalLeft) throws IOException {
        String name = part.fileName() == null ? "file " + (files.size() + 1) : part.fileName();
        Path target = dir.resolve(String.format("%03d", files.size()));
        long size = 0;
        long limit = -1;
        String kind = "image";
        try (InputStream in = part.body();
             OutputStream out = new DigestOutputStream(Files.newOutputStream(target), digest)) {
            byte[] buffer = new byte[64 * 1024];
            byte[] head = new byte[0];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (limit < 0) { // decide image or archive from the first bytes, as dataset-service does
                    head = concat(head, buffer, n);
                    if (head.length >= ZIP.length) {
                        boolean zip = Arrays.equals(Arrays.copyOf(head, ZIP.length), ZIP);
                        kind = zip ? "archive" : "image";
                        limit = zip ? limits.maxArchiveBytes() : limits.maxFileBytes();
                    }
                }
                size += n;
                if (limit >= 0 && size > limit) {
                    throw ProblemException.tooLarge(name + ": over the " + kind + " limit of " + limit
                            + " bytes; the upload was stopped there and nothing was stored");
                }
                if (size > totalLeft) {
                    throw ProblemException.tooLarge("the upload is over its total limit of "
                            + limits.maxArchiveBytes() + " bytes at " + name + "; nothing was stored");
                }
                out.write(buffer, 0, n);
            }
        }
        files.add(new File(name, part.contentType(), target, size));
        return size;
    }

    private String text(MultipartReader.Part part) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = part.body()) {
            byte[] buffer = new byte[1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                if (out.size() > MAX_TEXT_BYTES) {
                    throw ProblemException.invalid(List.of(new Problem.FieldError(part.name(),
                            "must be at most " + MAX_TEXT_BYTES + " bytes")));
                }
            }
        }
        digest.update(out.toByteArray());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] head, byte[] buffer, int n) {
        byte[] joined = Arrays.copyOf(head, Math.min(ZIP.length, head.length + n));
        System.arraycopy(buffer, 0, joined, head.length, joined.length - head.length);
        return joined;
    }

    @Override
    public void close() {
        TempFolders.delete(dir);
    }
}
