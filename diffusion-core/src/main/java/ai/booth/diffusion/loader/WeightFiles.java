package ai.booth.diffusion.loader;

import ai.booth.diffusion.nn.CheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Finding a component's weights file, and hashing weights for cache keys. */
final class WeightFiles {

    private static final List<String> NAMES = List.of("diffusion_pytorch_model.safetensors", "model.safetensors");
    private static final List<String> PICKLES = List.of("diffusion_pytorch_model.bin", "pytorch_model.bin",
            "model.ckpt", "model.bin");

    private WeightFiles() {
    }

    /**
     * {@code diffusion_pytorch_model.safetensors} or {@code model.safetensors} in {@code dir}, else a single
     * {@code *.fp16.safetensors} variant. Pickle-only components are refused: loading them would run arbitrary code.
     */
    static Path safetensorsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException("missing component folder " + dir);
        }
        for (String name : NAMES) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> variants = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
            if (variants.size() == 1) {
                return variants.get(0);
            }
            if (variants.size() > 1) {
                throw new CheckpointException(dir + " holds several weight files " + variants
                        + "; keep one or name it " + NAMES.get(0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (String pickle : PICKLES) {
            if (Files.isRegularFile(dir.resolve(pickle))) {
                throw new CheckpointException(dir.resolve(pickle) + " is a pickle (.bin/.ckpt) checkpoint, which Booth "
                        + "does not load (unpickling can run arbitrary code); convert it to .safetensors, e.g. with "
                        + "diffusers' save_pretrained(..., safe_serialization=True)");
            }
        }
        throw new CheckpointException("no weights in " + dir + ": expected one of " + NAMES);
    }

    /** SHA-256 over the files' bytes in order, read in 1 MiB chunks (never the whole file in memory). */
    static String sha256(List<Path> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (Path file : files) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + files, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
