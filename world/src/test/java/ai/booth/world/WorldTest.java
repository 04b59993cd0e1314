package ai.booth.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aBaseDatasetHasOneValidMetadataLinePerImageWithItsCaption() throws Exception {
        Path metadata = World.writeBase(dir, 3, Split.TRAIN, 25);
        List<String> lines = Files.readAllLines(metadata);
        assertEquals(25, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            Example expected = World.base(3, Split.TRAIN, i);
            Path file = dir.resolve(line.get("file_name").asText());
            BufferedImage image = ImageIO.read(file.toFile());
            assertEquals(64, image.getWidth());
            assertEquals(expected.caption(), line.get("text").asText());
            assertEquals("train", line.get("split").asText());
            assertEquals(expected.scene().things().size(), line.get("objects").size());
            assertEquals(expected.scene().things().get(0).shape().noun(), line.get("objects").get(0).get("shape").asText());
            assertEquals(expected.scene().backdrop().setting().word(), line.get("background").asText());
            assertArrayEquals(Png.encode(Renderer.render(expected.scene())), Files.readAllBytes(file));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(26, files.count(), "the images and metadata.jsonl, nothing else");
        }
    }

    @Test
    void aLargerDatasetStartsWithTheSmallerOne() throws Exception {
        World.writeBase(dir.resolve("small"), 9, Split.HELD_OUT, 3);
        World.writeBase(dir.resolve("large"), 9, Split.HELD_OUT, 6);
        List<String> small = Files.readAllLines(dir.resolve("small/metadata.jsonl"));
        assertEquals(small, Files.readAllLines(dir.resolve("large/metadata.jsonl")).subList(0, 3));
        for (String f : List.of("00000.png", "00001.png", "00002.png")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("small").resolve(f)), Files.readAllBytes(dir.resolve("large").resolve(f)));
        }
    }

    @Test
    void aSubjectFolderHoldsOnlyPhotosForTrainingAndDescribesThemBeside() throws Exception {
        Path metadata = World.writeSubject(dir, Subject.ZIGZAG_STAR, 1, 6);
        try (Stream<Path> photos = Files.list(dir.resolve("photos"))) {
            List<String> names = photos.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("00.png", "01.png", "02.png", "03.png", "04.png", "05.png"), names);
        }
        List<String> lines = Files.readAllLines(metadata);
        assertEquals(6, lines.size());
        for (String l : lines) {
            JsonNode line = JSON.readTree(l);
            assertTrue(Files.isRegularFile(dir.resolve(line.get("file_name").asText())), l);
            assertTrue(line.get("text").asText().startsWith("a photo of sks star "), l);
        }
        JsonNode subject = JSON.readTree(dir.resolve("subject.json").toFile());
        assertEquals("sks", subject.get("token").asText());
        assertEquals("star", subject.get("class").asText());
        assertEquals("a photo of sks star", subject.get("instance_prompt").asText());
        assertEquals("a photo of a star", subject.get("class_prompt").asText());
    }

    @Test
    void aScaledSubjectPhotoIsTheRenderedPhotoInBlocksLargeEnoughForTheDatasetService() throws Exception {
        World.writeSubject(dir, Subject.ZIGZAG_STAR, 4, 2, 4);
        BufferedImage big = ImageIO.read(dir.resolve("photos/01.png").toFile());
        BufferedImage small = Renderer.render(Photographer.shoot(Subject.ZIGZAG_STAR, 2, 4).get(1).scene());
        assertEquals(256, big.getWidth());
        assertEquals(256, big.getHeight());
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                assertEquals(small.getRGB(x / 4, y / 4), big.getRGB(x, y), x + "," + y);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> World.writeSubject(dir.resolve("no"), Subject.ZIGZAG_STAR, 4, 2, 0));
    }

    @Test
    void jsonStringsEscapeQuotesBackslashesAndControls() throws Exception {
        String s = "a \"b\" \\ c\n\t";
        assertEquals(s, JSON.readTree(World.quote(s)).asText());
    }
}
