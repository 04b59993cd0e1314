package ai.booth.diffusion.pipeline;

import java.nio.file.Path;

/**
 * One LoRA adapter of a request: its file and the scales for the UNet and the text encoder (0 = the base model
 * exactly). Its name, as in AUTOMATIC1111's {@code <lora:name:...>}, is the file name without {@code .safetensors}.
 */
public record LoraRequest(Path file, float unetScale, float textEncoderScale) {

    public LoraRequest {
        if (file == null) {
            throw new IllegalArgumentException("lora: file is missing");
        }
        if (!Float.isFinite(unetScale) || !Float.isFinite(textEncoderScale)) {
            throw new IllegalArgumentException("lora " + file + ": scales must be finite numbers, got unet "
                    + unetScale + ", text encoder " + textEncoderScale);
        }
    }

    public String name() {
        return stem(file);
    }

    /** A file or folder name without {@code .safetensors}: how A1111 names models and LoRAs. */
    static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }

    public LoraRequest withScales(float unet, float textEncoder) {
        return new LoraRequest(file, unet, textEncoder);
    }

    /**
     * Parses {@code FILE[:unet_scale[:text_encoder_scale]]}. Without scales both are 1; with one scale the text
     * encoder gets the same one (as a single multiplier in A1111's {@code <lora:name:m>} applies to both). Only
     * trailing numeric parts are scales, so a path with colons still parses.
     */
    public static LoraRequest parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("lora: expected FILE[:unet_scale[:text_encoder_scale]], got nothing");
        }
        String rest = spec;
        Float[] scales = new Float[2];
        int found = 0;
        for (int i = 0; i < 2; i++) {
            int colon = rest.lastIndexOf(':');
            Float value = colon < 0 ? null : number(rest.substring(colon + 1));
            if (value == null) {
                break;
            }
            scales[found++] = value;
            rest = rest.substring(0, colon);
        }
        if (rest.isBlank()) {
            throw new IllegalArgumentException("lora '" + spec + "': no file before the scales");
        }
        float unet = found == 0 ? 1f : scales[found - 1];
        float text = found == 2 ? scales[0] : unet;
        return new LoraRequest(Path.of(rest), unet, text);
    }

    private static Float number(String s) {
        try {
            return Float.parseFloat(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
