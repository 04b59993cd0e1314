package ai.booth.gateway.dataset;

import ai.booth.gateway.http.ProblemException;
import ai.booth.contracts.DatasetLimits;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way an upload can end leaves no spooled file behind. */
class DatasetUploadTest {

    private static final String TYPE = "multipart/form-data; boundary=XyZ";
    private static final byte[] PHOTO = new byte[300_000];

    private static byte[] filePart() {
        return ("--XyZ\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static InputStream body(String after) {
        return new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(filePart()),
                new ByteArrayInputStream(PHOTO)), new ByteArrayInputStream(after.getBytes(StandardCharsets.UTF_8)));
    }

    /** Upload spool folders in the JVM's temp folder that still exist and were not there before. */
    private static Set<Path> spools() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("booth-upload-"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static Set<Path> leftSince(Set<Path> before) throws IOException {
        Set<Path> now = spools();
        now.removeAll(before);
        return now;
    }

    @Test
    void aHugeQuotedParameterAfterASpooledPhotoIsABadRequestAndTheSpoolIsDeleted() throws IOException {
        Set<Path> before = spools();
        String huge = "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"" + "x".repeat(8000) + "\"\r\n\r\nv"
                + "\r\n--XyZ--\r\n";
        ProblemException e = assertThrows(ProblemException.class,
                () -> DatasetUpload.read(body(huge), TYPE, DatasetLimits.DEFAULT));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("is not a form field"), e.getMessage());
        assertEquals(Set.of(), leftSince(before));
    }

    @Test
    void anErrorWhileReceivingStillDeletesTheSpool() throws IOException {
        Set<Path> before = spools();
        InputStream failing = new SequenceInputStream(body(""), new InputStream() {
            @Override
            public int read() {
                throw new OutOfMemoryError("simulated while receiving");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new OutOfMemoryError("simulated while receiving");
            }
        });
        assertThrows(OutOfMemoryError.class, () -> DatasetUpload.read(failing, TYPE, DatasetLimits.DEFAULT));
        assertEquals(Set.of(), leftSince(before));
    }

    @Test
    void aCompleteUploadKeepsItsSpoolUntilClosed() throws IOException {
        Set<Path> before = spools();
        DatasetUpload upload = DatasetUpload.read(body("\r\n--XyZ--\r\n"), TYPE, DatasetLimits.DEFAULT);
        assertEquals(PHOTO.length, upload.files().get(0).size());
        assertEquals(1, leftSince(before).size());
        upload.close();
        assertEquals(Set.of(), leftSince(before));
    }
}
