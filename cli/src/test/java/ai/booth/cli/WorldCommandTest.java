package ai.booth.cli;

import ai.booth.diffusion.testing.Reference;
import ai.booth.world.Split;
import ai.booth.world.World;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aSubjectsPhotosAreWhatTrainTakes() throws Exception {
        Path subject = tmp.resolve("star");
        BoothCliTest.Run wrote = BoothCliTest.booth("world", "subject", subject.toString(), "--count", "5");
        assertEquals(0, wrote.code(), wrote.err());
        assertTrue(wrote.out().contains("--instance-prompt \"a photo of sks star\""), wrote.out());
        try (Stream<Path> photos = Files.list(subject.resolve("photos"))) {
            assertEquals(5, photos.filter(p -> p.toString().endsWith(".png")).count());
        }
        // at the fixture model's size, whatever a fixture set makes it: the photos are resized as any photo is
        int resolution;
        try (Reference ref = Reference.load()) {
            resolution = ref.imageSize();
        }
        BoothCliTest.Run trained = BoothCliTest.booth("train", "--model",
                Reference.fixturesDir().resolve("model").toString(), "--images", subject.resolve("photos").toString(),
                "--instance-prompt", "a photo of sks star", "--no-prior", "--steps", "2", "--resolution",
                Integer.toString(resolution), "--out", tmp.resolve("lora").toString(), "--quiet");
        assertEquals(0, trained.code(), trained.err());
        assertTrue(Files.exists(tmp.resolve("lora/pytorch_lora_weights.safetensors")));
    }

    @Test
    void theBaseSetIsTheSplitAskedForAndBadOptionsAreNamed() throws Exception {
        Path base = tmp.resolve("base");
        BoothCliTest.Run wrote = BoothCliTest.booth("world", "base", base.toString(), "--count", "3", "--seed", "5",
                "--split", "held_out");
        assertEquals(0, wrote.code(), wrote.err());
        List<String> lines = Files.readAllLines(base.resolve("metadata.jsonl"));
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).contains("\"text\": \"" + World.base(5, Split.HELD_OUT, 2).caption() + "\""),
                lines.get(2));

        BoothCliTest.Run bad = BoothCliTest.booth("world", "base", base.toString(), "--split", "test");
        assertEquals(BoothCli.BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("--split must be train or held_out"), bad.err());
        BoothCliTest.Run unknown = BoothCliTest.booth("world", "subject", base.toString(), "--name", "dragon");
        assertEquals(BoothCli.BAD_INPUT, unknown.code());
        assertTrue(unknown.err().contains("no subject 'dragon'"), unknown.err());
    }
}
