package ai.booth.diffusion.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The short hashes AUTOMATIC1111 writes into infotexts, so its users can look a file up by them. */
public final class ModelHashes {

    private ModelHashes() {
    }

    /** A1111's "Model hash": the first 10 hex digits of the checkpoint's SHA-256. */
    public static String modelShortHash(String sha256) {
        return sha256.substring(0, 10);
    }

    /**
     * A1111's LoRA hash (kohya's "addnet" hash): the first 12 hex digits of the SHA-256 of a safetensors file's
     * tensor data, i.e. everything after the 8-byte length and the JSON header, so editing metadata keeps it.
     */
    public static String loraShortHash(Path safetensors) {
        try (InputStream in = Files.newInputStream(safetensors)) {
            byte[] length = in.readNBytes(8);
            if (length.length != 8) {
                throw new IllegalArgumentException(safetensors + " is too short to be a safetensors file");
            }
            in.skipNBytes(ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong());
            return sha256(in).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + safetensors, e);
        }
    }

    /**
     * A1111's old "model hash", which sd-webui-controlnet still shows after a ControlNet's name
     * ({@code control_v11p_sd15_canny [d14c016b]}): the first 8 hex digits of the SHA-256 of the 64 KiB at offset
     * 1 MiB (fewer, or none, in a smaller file).
     */
    public static String legacyShortHash(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(Math.min(0x100000, Files.size(file)));
            return sha256(new java.io.ByteArrayInputStream(in.readNBytes(0x10000))).substring(0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        }
    }

    /** The SHA-256 of a whole file, in hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        }
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
