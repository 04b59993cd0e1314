package ai.booth.diffusion.train;

import ai.booth.diffusion.testing.Reference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training correctness at scale: {@value #STEPS} DreamBooth LoRA steps with prior preservation on the fixture model,
 * each run in a fresh JVM (new allocator state, new libtorch, new thread pool). Every loss stays finite and the
 * two runs give the same losses and adapter tensors, bit for bit.
 */
class LongRunReproducibilityTest {

    private static final int STEPS = 200;
    private static final int JVMS = 2;

    @TempDir
    Path tmp;

    @Test
    void twoHundredStepsStayFiniteAndGiveTheSameAdapterInTwoFreshJvms() throws Exception {
        int resolution;
        Path modelDir;
        try (Reference ref = Reference.load()) {
            resolution = trainingResolution(ref.modelDir(), ref.imageSize());
            modelDir = ref.modelDir();
        }
        List<String> adapters = new ArrayList<>();
        List<List<String>> losses = new ArrayList<>();
        for (int i = 0; i < JVMS; i++) {
            List<String> lines = runJvm(modelDir, resolution, tmp.resolve("run" + i));
            List<String> runLosses = lines.stream().filter(l -> l.startsWith("loss ")).toList();
            assertEquals(STEPS, runLosses.size(), "one loss per step in run " + i);
            for (String l : runLosses) {
                float loss = Float.intBitsToFloat(Integer.parseInt(l.split(" ")[2]));
                assertTrue(Float.isFinite(loss), "run " + i + ": " + l.split(" ")[1] + ". loss is " + loss);
            }
            losses.add(runLosses);
            adapters.add(lines.stream().filter(l -> l.startsWith("adapter ")).findFirst().orElseThrow());
        }
        for (int i = 1; i < JVMS; i++) {
            assertEquals(losses.get(0), losses.get(i), "losses of run " + i + " (as bits) against run 0");
            assertEquals(adapters.get(0), adapters.get(i), "adapter tensors of run " + i + " against run 0");
        }
    }

    /**
     * Half the fixture's image size when the UNet can still halve its latent at every level (a quarter of the pixels
     * keeps the runs cheap), else the fixture's size.
     */
    private static int trainingResolution(Path modelDir, int fixtureSize) throws IOException {
        ObjectMapper json = new ObjectMapper();
        int unetLevels = json.readTree(modelDir.resolve("unet/config.json").toFile()).get("block_out_channels").size();
        int vaeLevels = json.readTree(modelDir.resolve("vae/config.json").toFile()).get("block_out_channels").size();
        int multiple = (1 << (vaeLevels - 1)) << (unetLevels - 1);
        int half = fixtureSize / 2;
        return half % multiple == 0 ? half : fixtureSize;
    }

    private static List<String> runJvm(Path modelDir, int resolution, Path out) throws IOException,
            InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx2g", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), LongRunMain.class.getName(),
                modelDir.toString(), String.valueOf(resolution), String.valueOf(STEPS), out.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] stdout = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the training JVM finishes");
        assertEquals(0, p.exitValue(), "exit code of the training JVM; output:\n" + new String(stdout,
                StandardCharsets.UTF_8));
        return new String(stdout, StandardCharsets.UTF_8).lines().toList();
    }
}
