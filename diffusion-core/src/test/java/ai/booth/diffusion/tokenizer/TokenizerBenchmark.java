package ai.booth.diffusion.tokenizer;

import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.Reference;

import java.util.List;

/**
 * Prints how long tokenizing and drawing noise take. Run with
 * {@code mvn -q -pl diffusion-core exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=ai.booth.diffusion.tokenizer.TokenizerBenchmark}.
 */
public final class TokenizerBenchmark {

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        CLIPTokenizer tokenizer = CLIPTokenizer.fromFolder(Reference.fixturesDir().resolve("model/tokenizer"));
        double loadMs = (System.nanoTime() - t0) / 1e6;
        List<String> prompts = List.of("a photo of sks dog", "a photo of sks dog sleeping on a red sofa, 35mm",
                "portrait of sks woman, intricate detail, golden hour, bokeh, trending on artstation ".repeat(3));
        System.out.printf("%-40s %12s%n", "operation", "time");
        System.out.printf("%-40s %9.1f ms%n", "load vocab.json + merges.txt", loadMs);
        for (String prompt : prompts) {
            String label = "encode " + tokenizer.tokenCount(prompt) + " tokens (warm cache)";
            System.out.printf("%-40s %9.2f µs%n", label, micros(() -> tokenizer.encode(prompt), 20_000));
        }
        String cold = "zygomorphic quixotic xylophones";
        System.out.printf("%-40s %9.2f µs%n", "encode, words never seen (cold BPE)",
                micros(() -> tokenizer.encode(cold + System.nanoTime()), 2_000));
        TorchGenerator generator = new TorchGenerator(0);
        System.out.printf("%-40s %9.2f µs%n", "TorchGenerator randn [1,4,64,64]",
                micros(() -> generator.randn(4 * 64 * 64), 500));
        System.out.printf("%-40s %9.2f µs%n", "TorchGenerator randn [1,4,128,128]",
                micros(() -> generator.randn(4 * 128 * 128), 200));
    }

    private static double micros(Runnable task, int iterations) {
        for (int i = 0; i < iterations; i++) {
            task.run();   // warm up the JIT and caches
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            task.run();
        }
        return (System.nanoTime() - start) / 1e3 / iterations;
    }
}
