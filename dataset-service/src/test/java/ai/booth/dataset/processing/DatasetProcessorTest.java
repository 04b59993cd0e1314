package ai.booth.dataset.processing;

import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.ImageReport;
import ai.booth.contracts.RejectedFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetProcessorTest {

    private static final String PROMPT = "a photo of sks person";
    private static final DatasetProcessor PROCESSOR = new DatasetProcessor(DatasetLimits.DEFAULT, 2);

    @TempDir
    Path work;

    @AfterAll
    static void close() {
        PROCESSOR.close();
    }

    @Test
    void aZipOfMixedPhotosBecomesACleanTrainingSetWithAnHonestReport() throws IOException {
        DatasetBuild build = PROCESSOR.ingest(job(1, DatasetSettings.DEFAULT),
                List.of(upload("00-photos.zip", MixedPhotos.zip())), List.of());
        DatasetReport report = build.report();
        assertTrue(build.accepted(), build.problems().toString());

        Map<String, ImageReport> bySource = report.images().stream()
                .collect(Collectors.toMap(ImageReport::source, image -> image));
        assertEquals(List.of("00-photos.zip!portrait.png", "00-photos.zip!landscape.jpg",
                "00-photos.zip!sideways.jpg", "00-photos.zip!landscape-again.jpg", "00-photos.zip!cat.webp"),
                report.images().stream().map(ImageReport::source).toList());
        assertEquals(List.of(new RejectedFile("00-photos.zip!corrupt.jpg", "CORRUPT",
                        "JPEG is truncated: the file ends inside the compressed image data, before its end-of-image"
                                + " marker")), report.rejected());

        ImageReport portrait = bySource.get("00-photos.zip!portrait.png");
        assertEquals("png", portrait.format());
        assertTrue(portrait.faceFound(), "the astronaut's face");
        assertEquals("human", portrait.faceKind());
        ImageReport sideways = bySource.get("00-photos.zip!sideways.jpg");
        assertEquals(6, sideways.exifOrientation());
        assertEquals(854, sideways.width());
        assertEquals(1280, sideways.height());
        assertFalse(sideways.faceFound());
        assertTrue(sideways.notes().contains("no face found: centre crop"));

        ImageReport landscape = bySource.get("00-photos.zip!landscape.jpg");
        ImageReport again = bySource.get("00-photos.zip!landscape-again.jpg");
        assertEquals(Integer.valueOf(1), landscape.duplicateGroup());
        assertEquals(Integer.valueOf(1), again.duplicateGroup());
        assertNull(portrait.duplicateGroup());
        assertNotNull(landscape.processedKey(), "the sharper copy stays");
        assertNull(again.processedKey(), "the blurrier copy is left out");
        assertTrue(again.notes().contains("near-duplicate of 00-photos.zip!landscape.jpg: left out of the"
                + " training set"), again.notes().toString());
        assertTrue(again.blurScore() < landscape.blurScore());

        assertEquals(MixedPhotos.LANDSCAPE_CAPTION, landscape.caption());
        assertEquals("file", landscape.captionSource());
        assertEquals(PROMPT, portrait.caption());
        assertEquals("instancePrompt", portrait.captionSource());

        assertEquals(6, report.totals().files());
        assertEquals(5, report.totals().accepted());
        assertEquals(1, report.totals().rejected());
        assertEquals(4, report.totals().trainingImages());
        assertEquals(1, report.totals().duplicateGroups());
        assertEquals(1, report.totals().duplicatesLeftOut());
        assertTrue(report.warnings().contains("only 4 training image(s): 5 or more give better results"),
                report.warnings().toString());

        assertEquals(4, build.images().size());
        for (DatasetImage image : build.images()) {
            assertTrue(image.key().startsWith("alice/ds-1/processed/v1/"), image.key());
            Path png = objectFile(build, image.key());
            Mat decoded = Imgcodecs.imdecode(new MatOfByte(Files.readAllBytes(png)), Imgcodecs.IMREAD_UNCHANGED);
            assertEquals(512, decoded.cols());
            assertEquals(512, decoded.rows());
            assertEquals(3, decoded.channels());
            String captionKey = image.key().replace(".png", ".txt");
            assertEquals(image.caption(), Files.readString(objectFile(build, captionKey)));
        }
        List<String> rawKeys = build.objects().stream().map(PendingObject::key).filter(k -> k.contains("/raw/"))
                .toList();
        assertEquals(List.of("alice/ds-1/raw/00.png", "alice/ds-1/raw/01.jpg", "alice/ds-1/raw/02.jpg",
                "alice/ds-1/raw/03.jpg", "alice/ds-1/raw/04.webp"), rawKeys, "originals of accepted photos only");
        assertEquals(5 + 4 + 4, build.objects().size());
    }

    @Test
    void everyHostileFileIsRejectedWithItsReasonAndNothingIsToBeStored() throws IOException {
        DatasetLimits limits = new DatasetLimits(2_000_000, 5_000_000, 10_000_000, 100, 1000, 50_000_000L, 5, 50);
        List<UploadFile> uploads = new ArrayList<>();
        uploads.add(upload("00-notes.jpg", "a photo of my dog".getBytes()));
        uploads.add(upload("01-bomb.png", Photos.pngClaiming(50_000, 50_000)));
        uploads.add(upload("02-small.jpg", Photos.jpeg(Photos.photo("rocket.jpg", 360, 240))));
        uploads.add(upload("03-huge.bmp", Photos.encode(Photos.photo("coffee.jpg", 1200, 800), ".bmp"))); // 2.9 MB
        uploads.add(upload("04-photos.tar.gz", new byte[] {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0}));
        uploads.add(upload("05-cut.jpg", Photos.bytes("truncated.jpg")));
        try (DatasetProcessor processor = new DatasetProcessor(limits, 2)) {
            DatasetBuild build = processor.ingest(job(1, DatasetSettings.DEFAULT), uploads, List.of());
            assertFalse(build.accepted());
            // files refused while unpacking come first, then those refused by the image checks, each in upload order
            assertEquals(List.of("04-photos.tar.gz UNSUPPORTED_ARCHIVE", "00-notes.jpg NOT_AN_IMAGE",
                            "01-bomb.png DECOMPRESSION_BOMB", "02-small.jpg TOO_SMALL", "03-huge.bmp FILE_TOO_LARGE",
                            "05-cut.jpg CORRUPT"),
                    build.report().rejected().stream().map(r -> r.source() + " " + r.reason()).toList());
            String bomb = build.report().rejected().get(2).message();
            assertTrue(bomb.contains("50000x50000") && bomb.contains("before decoding"), bomb);
            String small = build.report().rejected().get(3).message();
            assertTrue(small.contains("360x240") && small.contains("512x512") && small.contains("256x256"), small);
            assertEquals(List.of(), build.objects(), "nothing of a rejected upload is stored");
            assertEquals(7, build.problems().size(), build.problems().toString());
            assertTrue(build.problems().get(1).startsWith("00-notes.jpg: NOT_AN_IMAGE: not a JPEG"),
                    build.problems().get(1));
            assertEquals("no image passed the checks", build.problems().get(6));
        }
    }

    @Test
    void webPhotosBetweenHalfAndFullOutputSizeAreUpscaledWithANoteAndAWarning() throws IOException {
        List<UploadFile> uploads = List.of(upload("00-web.jpg", Photos.jpeg(Photos.photo("rocket.jpg", 600, 450))),
                upload("01-avatar.jpg", Photos.jpeg(Photos.photo("coffee.jpg", 420, 420))),
                upload("02-thumb.jpg", Photos.jpeg(Photos.photo("chelsea.jpg", 250, 250))));
        DatasetBuild build = PROCESSOR.ingest(job(1, DatasetSettings.DEFAULT), uploads, List.of());
        assertTrue(build.accepted(), build.problems().toString());
        assertEquals(List.of("00-web.jpg", "01-avatar.jpg"),
                build.report().images().stream().map(ImageReport::source).toList());
        for (ImageReport image : build.report().images()) {
            assertEquals(512, image.outputWidth());
            assertEquals(512, image.outputHeight());
            assertTrue(image.notes().stream().anyMatch(n -> n.startsWith("upscaled") && n.contains("512x512")),
                    image.notes().toString());
        }
        assertTrue(build.report().images().get(0).notes().stream().anyMatch(n -> n.contains("450x450")),
                build.report().images().get(0).notes().toString());
        assertTrue(build.report().warnings().stream().anyMatch(w -> w.startsWith("2 image(s) are smaller than the"
                + " 512 px output")), build.report().warnings().toString());
        assertEquals(List.of("02-thumb.jpg TOO_SMALL"),
                build.report().rejected().stream().map(r -> r.source() + " " + r.reason()).toList());
        for (DatasetImage image : build.images()) {
            Mat decoded = Imgcodecs.imdecode(new MatOfByte(Files.readAllBytes(objectFile(build, image.key()))),
                    Imgcodecs.IMREAD_UNCHANGED);
            assertEquals(512, decoded.cols());
            assertEquals(512, decoded.rows());
        }
    }

    @Test
    void tooManyFilesRejectTheWholeUpload() {
        DatasetLimits limits = new DatasetLimits(40_000_000, 40_000_000, 40_000_000, 3, 1000, 50_000_000L, 2, 50);
        byte[] photo = Photos.jpeg(Photos.photo("rocket.jpg", 900, 600));
        List<UploadFile> uploads = List.of(upload("a.jpg", photo), upload("b.jpg", photo), upload("c.jpg", photo),
                upload("d.jpg", photo));
        try (DatasetProcessor processor = new DatasetProcessor(limits, 2)) {
            DatasetBuild build = processor.ingest(job(1, DatasetSettings.DEFAULT), uploads, List.of());
            assertFalse(build.accepted());
            assertEquals(List.of(new RejectedFile("upload", "TOO_MANY_FILES", "4 images, over the limit of 3")),
                    build.report().rejected());
            assertEquals(List.of(), build.objects());
        }
    }

    @Test
    void reprocessingWritesANewVersionFromTheOriginalsKeepingCaptionFiles() throws IOException {
        DatasetBuild first = PROCESSOR.ingest(job(1, DatasetSettings.DEFAULT),
                List.of(upload("00-photos.zip", MixedPhotos.zip())), List.of());
        List<UploadFile> originals = new ArrayList<>();
        for (ImageReport image : first.report().images()) {
            originals.add(new UploadFile(image.source(), objectFile(first, image.originalKey()),
                    image.captionSource().equals("file") ? image.caption() : null, image.originalKey()));
        }
        DatasetSettings settings = new DatasetSettings("centre", 256, true, false);
        DatasetBuild second = PROCESSOR.reprocess(job(2, settings), originals);

        assertTrue(second.accepted(), second.problems().toString());
        assertEquals(2, second.report().version());
        assertEquals(settings, second.report().settings());
        assertEquals(5, second.images().size(), "duplicates kept when asked");
        assertTrue(second.objects().stream().noneMatch(o -> o.key().contains("/raw/")), "originals stay as stored");
        assertTrue(second.images().stream().allMatch(i -> i.key().startsWith("alice/ds-1/processed/v2/")));
        ImageReport landscape = second.report().images().get(1);
        assertEquals("alice/ds-1/raw/01.jpg", landscape.originalKey());
        assertEquals("alice/ds-1/processed/v2/01.png", landscape.processedKey());
        assertEquals(MixedPhotos.LANDSCAPE_CAPTION, landscape.caption());
        assertEquals(320, landscape.outputWidth()); // 3:2 at 256: the 320×192 bucket
        assertEquals(192, landscape.outputHeight());
        ImageReport sideways = second.report().images().get(2);
        assertEquals(192, sideways.outputWidth());
        assertEquals(320, sideways.outputHeight());
    }

    @Test
    void anUploadHoldsNoMoreTrainingImagesInMemoryAtOnceThanThereAreThreads() {
        List<UploadFile> uploads = new ArrayList<>();
        for (String name : List.of("rocket.jpg", "coffee.jpg", "astronaut.jpg", "chelsea.jpg")) {
            uploads.add(upload("a-" + name, Photos.jpeg(Photos.photo(name, 640, 480))));
            uploads.add(upload("b-" + name, Photos.png(Photos.photo(name, 480, 640))));
        }
        try (DatasetProcessor twoThreads = new DatasetProcessor(DatasetLimits.DEFAULT, 2)) {
            DatasetBuild build = twoThreads.ingest(job(1, new DatasetSettings("centre", 256, false, false)), uploads,
                    List.of());

            assertEquals(8, build.report().totals().trainingImages(), build.problems().toString());
            assertTrue(twoThreads.peakImagesHeld() >= 1, "the counter sees the images");
            assertTrue(twoThreads.peakImagesHeld() <= 2, "at most one image per thread is held, not the whole upload: "
                    + twoThreads.peakImagesHeld());
        }
    }

    private DatasetJob job(int version, DatasetSettings settings) {
        return new DatasetJob("alice", "ds-1", version, settings, PROMPT, work);
    }

    private UploadFile upload(String name, byte[] content) {
        try {
            return UploadFile.uploaded(name, Files.write(Files.createTempFile(work, "upload-", ""), content), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path objectFile(DatasetBuild build, String key) {
        return build.objects().stream().filter(o -> o.key().equals(key)).findFirst().orElseThrow(
                () -> new AssertionError("no pending object " + key)).file();
    }
}
