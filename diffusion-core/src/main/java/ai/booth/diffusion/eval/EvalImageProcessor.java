package ai.booth.diffusion.eval;

import ai.booth.diffusion.io.JsonConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * transformers' CLIPImageProcessor / ViTImageProcessor from {@code preprocessor_config.json}: resize with PIL (the
 * shortest edge to {@code size.shortest_edge}, the long side scaled and truncated to an integer; or to
 * {@code size.height × size.width}), centre crop (offsets floored, zero padding where the image is smaller), rescale,
 * normalise per channel. Steps follow the config's {@code do_*} flags; an integer {@code size} means the shortest edge
 * for CLIP's processor and a square for ViT's, as in transformers' legacy configs.
 *
 * @param shortestEdge 0 when resizing to a fixed {@code height × width}
 */
public record EvalImageProcessor(boolean resize, int shortestEdge, int height, int width, PilResize.Filter filter,
                             boolean crop, int cropHeight, int cropWidth, boolean rescale, double rescaleFactor,
                             boolean normalize, float[] mean, float[] std) {

    private static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    private static final double[] HALF = {0.5, 0.5, 0.5};

    public static EvalImageProcessor read(Path preprocessorConfig) {
        JsonConfig c = JsonConfig.read(preprocessorConfig);
        String type = c.string("image_processor_type", c.string("feature_extractor_type", "CLIPImageProcessor"));
        boolean clip = type.startsWith("CLIP");
        int shortest = 0;
        int height = 0;
        int width = 0;
        JsonNode size = c.node().get("size");
        if (size == null || size.isNull()) {
            shortest = clip ? 224 : 0;
            height = width = clip ? 0 : 224;
        } else if (size.isInt()) {
            shortest = clip ? size.asInt() : 0;
            height = width = clip ? 0 : size.asInt();
        } else if (size.has("shortest_edge")) {
            shortest = size.get("shortest_edge").asInt();
        } else if (size.has("height") && size.has("width")) {
            height = size.get("height").asInt();
            width = size.get("width").asInt();
        } else {
            throw new IllegalArgumentException(preprocessorConfig + ": size " + size
                    + " is not supported (shortest_edge, or height and width)");
        }
        JsonNode cropSize = c.node().get("crop_size");
        int cropH = cropSize == null ? 0 : cropSize.isInt() ? cropSize.asInt() : cropSize.path("height").asInt();
        int cropW = cropSize == null ? 0 : cropSize.isInt() ? cropSize.asInt() : cropSize.path("width").asInt();
        boolean crop = c.bool("do_center_crop", cropSize != null);
        if (crop && (cropH <= 0 || cropW <= 0)) {
            throw new IllegalArgumentException(preprocessorConfig + ": do_center_crop needs crop_size, got "
                    + cropSize);
        }
        return new EvalImageProcessor(c.bool("do_resize", true), shortest, height, width,
                PilResize.Filter.ofPil(c.integer("resample", clip ? 3 : 2)), crop, cropH, cropW,
                c.bool("do_rescale", true), c.number("rescale_factor", 1 / 255.0), c.bool("do_normalize", true),
                channels(c, "image_mean", clip ? CLIP_MEAN : HALF), channels(c, "image_std", clip ? CLIP_STD : HALF));
    }

    private static float[] channels(JsonConfig c, String key, double[] fallback) {
        JsonNode v = c.node().get(key);
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            double value = v == null || v.isNull() ? fallback[i] : v.isNumber() ? v.asDouble() : v.path(i).asDouble();
            out[i] = (float) value;
        }
        return out;
    }

    /** The processed image as float CHW ({@code pixel_values} of one image). */
    public float[] pixels(RgbImage image) {
        RgbImage resized = resize ? PilResize.resize(image, targetWidth(image), targetHeight(image), filter) : image;
        int h = crop ? cropHeight : resized.height();
        int w = crop ? cropWidth : resized.width();
        int top = crop ? Math.floorDiv(resized.height() - h, 2) : 0;
        int left = crop ? Math.floorDiv(resized.width() - w, 2) : 0;
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sy = y + top;
                    int sx = x + left;
                    boolean inside = sy >= 0 && sy < resized.height() && sx >= 0 && sx < resized.width();
                    out[(c * h + y) * w + x] = value(inside ? resized.at(sx, sy, c) : 0, c);
                }
            }
        }
        return out;
    }

    /** Rescale in double then float32, normalise in float32, as transformers' numpy steps. */
    private float value(int sample, int channel) {
        float v = rescale ? (float) (sample * rescaleFactor) : sample;
        return normalize ? (v - mean[channel]) / std[channel] : v;
    }

    private int targetWidth(RgbImage image) {
        if (shortestEdge == 0) {
            return width;
        }
        return image.width() <= image.height() ? shortestEdge
                : (int) ((double) shortestEdge * image.width() / image.height());
    }

    private int targetHeight(RgbImage image) {
        if (shortestEdge == 0) {
            return height;
        }
        return image.width() <= image.height() ? (int) ((double) shortestEdge * image.height() / image.width())
                : shortestEdge;
    }

    /** {@code pixel_values} [B, 3, H, W] float32 on {@code manager}; the images must process to one size. */
    public NDArray batch(List<RgbImage> images, NDManager manager) {
        int[] size = outputSize(images.get(0));
        int per = 3 * size[0] * size[1];
        float[] all = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            if (!Arrays.equals(outputSize(images.get(i)), size)) {
                throw new IllegalArgumentException("images process to different sizes (no centre crop in the "
                        + "preprocessor config): " + Arrays.toString(size) + " and "
                        + Arrays.toString(outputSize(images.get(i))));
            }
            System.arraycopy(pixels(images.get(i)), 0, all, i * per, per);
        }
        return manager.create(all, new Shape(images.size(), 3, size[0], size[1]));
    }

    /** [height, width] of {@link #pixels} for this image. */
    public int[] outputSize(RgbImage image) {
        if (crop) {
            return new int[]{cropHeight, cropWidth};
        }
        return resize ? new int[]{targetHeight(image), targetWidth(image)} : new int[]{image.height(), image.width()};
    }
}
