package ai.booth.diffusion.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * Where the engine runs and in which floating type it holds weights and activations. Every model is built with
 * one of these, so device and dtype are always explicit; {@link #defaults()} is CPU float32.
 */
public record EngineOptions(Device device, DataType dtype) {

    public EngineOptions {
        if (device == null || dtype == null) {
            throw new IllegalArgumentException("EngineOptions needs a device and a dtype, got " + device + ", " + dtype);
        }
        if (dtype == DataType.BFLOAT16) {
            throw new IllegalArgumentException(BF16_UNSUPPORTED);
        }
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("unsupported dtype " + dtype + ": use float32 or float16");
        }
        if (device.isGpu()) {
            int gpus = Engine.getEngine("PyTorch").getGpuCount();
            if (device.getDeviceId() >= gpus) {
                throw new IllegalArgumentException("device " + device + " requested but PyTorch sees " + gpus
                        + " CUDA GPU(s)" + (gpus == 0 ? " (CPU-only natives or no CUDA driver)" : "")
                        + "; use device cpu");
            }
        }
    }

    static final String BF16_UNSUPPORTED = "bfloat16 is not supported: DJL 0.35.1's PyTorch bindings abort the JVM "
            + "on any bfloat16 tensor. bf16 checkpoints still load (they are widened to float32 on read); "
            + "choose dtype float32 or float16";

    public static EngineOptions defaults() {
        return new EngineOptions(Device.cpu(), DataType.FLOAT32);
    }

    /** Parses {@code device} ("cpu", "gpu", "gpu:1", "cuda:0") and {@code dtype} ("float32"/"fp32", "float16"/"fp16"). */
    public static EngineOptions parse(String device, String dtype) {
        return new EngineOptions(parseDevice(device), parseDtype(dtype));
    }

    public static Device parseDevice(String text) {
        String s = text == null ? "cpu" : text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("cpu")) {
            return Device.cpu();
        }
        String[] parts = s.split(":", 2);
        if (parts[0].equals("gpu") || parts[0].equals("cuda")) {
            if (parts.length == 1) {
                return Device.gpu(0);
            }
            try {
                return Device.gpu(Integer.parseInt(parts[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad device '" + text + "': the GPU index must be a number");
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "': use cpu, gpu or gpu:<index>");
    }

    public static DataType parseDtype(String text) {
        String s = text == null ? "float32" : text.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "", "float32", "fp32", "f32" -> DataType.FLOAT32;
            case "float16", "fp16", "f16", "half" -> DataType.FLOAT16;
            case "bfloat16", "bf16" -> throw new IllegalArgumentException(BF16_UNSUPPORTED);
            default -> throw new IllegalArgumentException("unknown dtype '" + text
                    + "': use float32 (fp32) or float16 (fp16)");
        };
    }

    @Override
    public String toString() {
        return device + "/" + dtype.name().toLowerCase(Locale.ROOT);
    }
}
