package ai.booth.diffusion.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A GPU image brings its own libtorch (the CUDA runtime image's {@code torch/lib}) and tells DJL where with
 * {@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION} and {@code PYTORCH_FLAVOR} (deploy/docker/worker-gpu.Dockerfile).
 * Here the same mechanism runs with the CPU libtorch unpacked to a folder: a fresh JVM with an empty DJL cache must
 * map libtorch from that folder, not from the natives jar on its class path.
 */
class NativesFromFolderTest {

    /** The libraries of the natives jar, as DJL's own extraction lays them out. */
    private static final List<String> LIBRARIES = List.of("libc10.so", "libtorch_cpu.so", "libtorch.so",
            "libgomp-98b21ff3.so.1");

    @Test
    void theEngineLoadsLibtorchFromThePytorchLibraryPathFolder(@TempDir Path tmp) throws Exception {
        Path libtorch = Files.createDirectories(tmp.resolve("libtorch"));
        for (String library : LIBRARIES) {
            URL resource = getClass().getClassLoader().getResource("pytorch/cpu/linux-x86_64/" + library);
            assertNotNull(resource, library + " in the pytorch-native-cpu jar");
            try (InputStream in = resource.openStream()) {
                Files.copy(in, libtorch.resolve(library), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path cache = tmp.resolve("djl-cache");

        List<String> out = probe(Map.of("PYTORCH_LIBRARY_PATH", libtorch.toString(), "PYTORCH_VERSION", "2.7.1",
                "PYTORCH_FLAVOR", "cpu", "DJL_CACHE_DIR", cache.toString()));

        List<String> mapped = out.stream().filter(line -> line.startsWith("mapped=")).map(l -> l.substring(7))
                .toList();
        List<String> torch = mapped.stream().filter(f -> f.matches(".*/libtorch(_cpu)?\\.so")).toList();
        assertEquals(2, torch.size(), "libtorch.so and libtorch_cpu.so mapped once each: " + mapped);
        for (String file : torch) {
            assertTrue(Path.of(file).startsWith(libtorch), file + " comes from the PYTORCH_LIBRARY_PATH folder");
        }
        assertTrue(mapped.stream().anyMatch(f -> f.endsWith("libdjl_torch.so") && Path.of(f).startsWith(cache)),
                "the JNI library of the pytorch-jni jar is extracted to the DJL cache: " + mapped);
        try (var files = Files.walk(cache)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("libtorch_cpu")),
                    "the natives jar's libtorch was not extracted beside it");
        }
        assertTrue(out.contains("version=2.7.1"), "engine version: " + out);
        assertTrue(out.contains("gpus=0"), "CPU libtorch sees no GPU: " + out);
        assertTrue(out.stream().anyMatch(l -> l.startsWith("matmul=") && l.contains("[[ 5., 14.], [14., 50.], ]")),
                "the engine computes with those natives: " + out);
    }

    private static List<String> probe(Map<String, String> env) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx512m", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), NativesProbe.class.getName())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the probe JVM finishes");
        assertEquals(0, process.exitValue(), "exit code of the probe JVM; output:\n" + out);
        return out.lines().toList();
    }
}
