package ai.booth.cli;

import ai.booth.diffusion.testing.Reference;
import ai.booth.testing.BoothInfraResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static ai.booth.cli.BoothCliTest.booth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code booth model add|list} against a real S3 server, configured like a service (booth.s3.* properties). */
class ModelCommandTest {

    private static final String[] SETTINGS = {"booth.s3.endpoint", "booth.s3.access-key", "booth.s3.secret-key"};
    private static BoothInfraResource infra;

    @BeforeAll
    static void start() {
        infra = new BoothInfraResource();
        Map<String, String> config = infra.start();
        for (String key : SETTINGS) {
            System.setProperty(key, config.get(key));
        }
    }

    @AfterAll
    static void stop() {
        for (String key : SETTINGS) {
            System.clearProperty(key);
        }
        infra.stop();
    }

    @Test
    void addsAFolderAndASingleFileAndListsThem() {
        Path model = Reference.fixturesDir().resolve("model");
        BoothCliTest.Run folder = booth("model", "add", model.toString(), "--id", "cli-folder", "--name",
                "CLI folder");
        assertEquals(0, folder.code(), folder.err());
        assertTrue(folder.out().startsWith("installed cli-folder: folder"), folder.out());

        BoothCliTest.Run single = booth("model", "add",
                Reference.fixturesDir().resolve("model.ckpt.safetensors").toString(), "--config-from",
                model.toString());
        assertEquals(0, single.code(), single.err());
        assertTrue(single.out().startsWith("installed model.ckpt: single-file, companion"), single.out());

        BoothCliTest.Run list = booth("model", "list");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("cli-folder ") && l.endsWith("CLI folder")),
                list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("model.ckpt ")), list.out());
    }

    @Test
    void addsTheFixtureControlNetAsAControlNet() {
        BoothCliTest.Run added = booth("model", "add", Reference.fixturesDir().resolve("controlnet/model").toString(),
                "--id", "cli-canny", "--controlnet");
        assertEquals(0, added.code(), added.err());
        assertTrue(added.out().startsWith("installed cli-canny: controlnet folder"), added.out());
        BoothCliTest.Run asBase = booth("model", "add", Reference.fixturesDir().resolve("controlnet/model").toString(),
                "--id", "cli-canny-base");
        assertEquals(BoothCli.BAD_INPUT, asBase.code(), "a ControlNet folder is no base model: " + asBase.out());
    }

    @Test
    void addsTheEvaluationEncodersWithTheirRoles() {
        BoothCliTest.Run clip = booth("model", "add", Reference.fixturesDir().resolve("eval/clip").toString(),
                "--id", "cli-clip", "--encoder");
        assertEquals(0, clip.code(), clip.err());
        assertTrue(clip.out().startsWith("installed cli-clip: encoder folder, clip"), clip.out());
        BoothCliTest.Run notEncoder = booth("model", "add", Reference.fixturesDir().resolve("model").toString(),
                "--id", "cli-not-encoder", "--encoder");
        assertEquals(BoothCli.BAD_INPUT, notEncoder.code(), "a diffusers folder is no encoder: " + notEncoder.out());
    }

    @Test
    void refusesPicklesAndArchitectureOptionsForFolders(@TempDir Path tmp) throws IOException {
        Path pickle = Files.write(tmp.resolve("dreamshaper.ckpt"), new byte[] {(byte) 0x80, 2});
        BoothCliTest.Run refused = booth("model", "add", pickle.toString(), "--preset", "sd15");
        assertEquals(BoothCli.BAD_INPUT, refused.code());
        assertTrue(refused.err().contains("pickle"), refused.err());

        BoothCliTest.Run folder = booth("model", "add", Reference.fixturesDir().resolve("model").toString(),
                "--preset", "sd15");
        assertEquals(BoothCli.BAD_INPUT, folder.code());
        assertTrue(folder.err().contains("--preset and --config-from apply to single files"), folder.err());
    }
}
