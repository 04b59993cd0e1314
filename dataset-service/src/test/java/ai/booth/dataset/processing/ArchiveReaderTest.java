package ai.booth.dataset.processing;

import ai.booth.contracts.DatasetLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveReaderTest {

    private static final DatasetLimits LIMITS = new DatasetLimits(200_000, 1_000_000, 1_500_000, 20, 10, 50_000_000L,
            5, 50);
    private static final byte[] PHOTO = Photos.bytes("rocket.jpg");

    @TempDir
    Path root;

    @Test
    void captionsSitBesideTheirImagesAndSystemFilesAreSkipped() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("rex/", new byte[0]);
        entries.put("rex/a.jpg", PHOTO);
        entries.put("rex/a.txt", "  a photo of sks dog on a beach\n".getBytes(StandardCharsets.UTF_8));
        entries.put("b.png", PHOTO);
        entries.put("__MACOSX/rex/._a.jpg", new byte[] {0, 5, 22, 7});
        entries.put(".DS_Store", new byte[] {0, 0, 0, 1});
        entries.put("orphan.txt", "no image".getBytes(StandardCharsets.UTF_8));
        ArchiveReader.Contents contents = read(entries);

        assertEquals(List.of("rex.zip!rex/a.jpg", "rex.zip!b.png"),
                contents.images().stream().map(UploadFile::source).toList());
        assertEquals("a photo of sks dog on a beach", contents.images().get(0).caption());
        assertNull(contents.images().get(1).caption());
        assertArrayEquals(PHOTO, Files.readAllBytes(contents.images().get(0).path()));
        assertEquals(List.of(), contents.rejected());
        assertTrue(contents.notes().contains("rex.zip: skipped 2 system file(s) (__MACOSX, dotfiles)"),
                contents.notes().toString());
        assertTrue(contents.notes().contains("rex.zip!orphan.txt: no image beside it, not used"),
                contents.notes().toString());
    }

    @Test
    void hostileEntriesAreRejectedAndNothingLandsOutsideTheWorkDirectory() throws IOException {
        Path work = Files.createDirectory(root.resolve("work"));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("../x.jpg", PHOTO);
        entries.put("../../etc/cron.d/evil.jpg", PHOTO);
        entries.put("/abs/y.jpg", PHOTO);
        entries.put("C:\\Windows\\z.jpg", PHOTO);
        entries.put("inner.zip", Photos.zip(Map.of("c.jpg", PHOTO)));
        entries.put("disguised.jpg", Photos.zip(Map.of("d.jpg", PHOTO)));
        entries.put("huge.png", new byte[(int) LIMITS.maxFileBytes() + 1]);
        entries.put("ok.jpg", PHOTO);
        ArchiveReader.Contents contents = new ArchiveReader(LIMITS, work)
                .read("up.zip", new ByteArrayInputStream(Photos.zip(entries)));

        assertEquals(List.of("up.zip!ok.jpg"), contents.images().stream().map(UploadFile::source).toList());
        assertEquals(List.of(
                        "up.zip!../x.jpg UNSAFE_PATH", "up.zip!../../etc/cron.d/evil.jpg UNSAFE_PATH",
                        "up.zip!/abs/y.jpg UNSAFE_PATH", "up.zip!C:\\Windows\\z.jpg UNSAFE_PATH",
                        "up.zip!inner.zip NESTED_ARCHIVE", "up.zip!disguised.jpg NESTED_ARCHIVE",
                        "up.zip!huge.png FILE_TOO_LARGE"),
                contents.rejected().stream().map(r -> r.source() + " " + r.reason()).toList());
        try (Stream<Path> all = Files.walk(root)) {
            assertEquals(List.of(root, work, contents.images().get(0).path()), all.sorted().toList(),
                    "only the accepted entry is spooled, under a numbered name inside the work directory");
        }
    }

    @Test
    void tooManyEntriesRejectTheArchive() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i <= LIMITS.maxArchiveEntries(); i++) {
            entries.put(i + ".jpg", PHOTO);
        }
        var rejected = assertThrows(Rejection.Rejected.class, () -> read(entries));
        assertEquals(Rejection.TOO_MANY_FILES, rejected.reason());
        assertTrue(rejected.getMessage().contains("more than 10 entries"), rejected.getMessage());
    }

    @Test
    void aZipBombIsStoppedByCountingInflatedBytes() {
        // 8 entries of 199 kB of zeros: each compresses to ~200 bytes and stays under the entry limit, together
        // they expand past the archive limit.
        // Sizes declared in the zip are not consulted.
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            entries.put("zeros" + i + ".bmp", new byte[199_000]);
        }
        byte[] bomb = Photos.zip(entries);
        assertTrue(bomb.length < 20_000, "compressed " + bomb.length);
        var rejected = assertThrows(Rejection.Rejected.class,
                () -> new ArchiveReader(LIMITS, root).read("bomb.zip", new ByteArrayInputStream(bomb)));
        assertEquals(Rejection.ARCHIVE_TOO_LARGE, rejected.reason());
        assertTrue(rejected.getMessage().contains("1500000"), rejected.getMessage());
    }

    @Test
    void garbageIsNotAReadableZip() {
        byte[] broken = Photos.zip(Map.of("a.jpg", PHOTO));
        broken[40] ^= 0x55; // inside the compressed data
        broken[41] ^= 0x55;
        var rejected = assertThrows(Rejection.Rejected.class,
                () -> new ArchiveReader(LIMITS, root).read("bad.zip", new ByteArrayInputStream(broken)));
        assertEquals(Rejection.CORRUPT, rejected.reason());
    }

    @Test
    void recognisesArchivesByContent() {
        assertEquals("zip", ArchiveReader.archiveType(Photos.zip(Map.of("a", PHOTO))).orElseThrow());
        assertEquals("gzip", ArchiveReader.archiveType(new byte[] {0x1F, (byte) 0x8B, 8, 0}).orElseThrow());
        assertTrue(ArchiveReader.archiveType(PHOTO).isEmpty());
        assertTrue(ArchiveReader.isUnsafe("a/../../b.jpg") && !ArchiveReader.isUnsafe("a/..b/c.jpg"));
    }

    private ArchiveReader.Contents read(Map<String, byte[]> entries) {
        return new ArchiveReader(LIMITS, root).read("rex.zip", new ByteArrayInputStream(Photos.zip(entries)));
    }
}
