package ai.booth.diffusion.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link NativesFromFolderTest}: starts the PyTorch engine, computes one matmul and prints
 * which libtorch files this process mapped (from {@code /proc/self/maps}), so the caller sees where the natives came
 * from.
 */
public final class NativesProbe {

    public static void main(String[] args) throws Exception {
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.arange(6f).reshape(2, 3);
            System.out.println("matmul=" + a.matMul(a.transpose()).toDebugString(100, 10, 10, 10, true)
                    .replaceAll("\\s+", " "));
        }
        System.out.println("version=" + engine.getVersion());
        System.out.println("gpus=" + engine.getGpuCount());
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.replaceFirst("^(\\S+\\s+){5}", "").trim())
                .filter(file -> file.matches(".*/[^/]*lib(torch|torch_cpu|c10|djl_torch)\\.so.*"))
                .distinct()
                .forEach(file -> System.out.println("mapped=" + file));
    }

    private NativesProbe() {
    }
}
