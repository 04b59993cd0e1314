package ai.booth.diffusion.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bfloat16 ⇄ float32 conversion in Java. bfloat16 is the upper half of an IEEE float32, so widening is a shift
 * and narrowing rounds the dropped half to nearest even (NaN stays NaN), as torch does.
 */
final class BFloat16 {
    private BFloat16() {
    }

    /** Little-endian BF16 bytes → a new direct little-endian F32 buffer. */
    static ByteBuffer widen(ByteBuffer bf16) {
        ByteBuffer src = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (src.remaining() >= 2) {
            out.putInt((src.getShort() & 0xffff) << 16);
        }
        return out.flip();
    }

    /** Little-endian F32 bytes → a new little-endian BF16 buffer. */
    static ByteBuffer narrow(ByteBuffer f32) {
        ByteBuffer src = f32.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(src.remaining() / 2).order(ByteOrder.LITTLE_ENDIAN);
        while (src.remaining() >= 4) {
            out.putShort(toBits(Float.intBitsToFloat(src.getInt())));
        }
        return out.flip();
    }

    static short toBits(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
