package ai.booth.dataset.processing;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "done when" upload: a zip of real photos as a phone would give them — a portrait (PNG), a landscape with a
 * caption file, a photo stored sideways with an EXIF orientation tag, a blurrier near-duplicate of the landscape,
 * a cat (WebP), and a truncated JPEG.
 */
public final class MixedPhotos {

    public static final String LANDSCAPE_CAPTION = "a photo of sks mug on a wooden table";

    /** Archive entries in order. */
    public static Map<String, byte[]> entries() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Mat square = Photos.photo("astronaut.jpg", 1024, 1024);
        entries.put("portrait.png", Photos.png(square.submat(new Rect(128, 0, 768, 1024)).clone()));
        Mat landscape = Photos.photo("coffee.jpg", 1200, 800);
        entries.put("landscape.jpg", Photos.jpeg(landscape));
        entries.put("landscape.txt", LANDSCAPE_CAPTION.getBytes(StandardCharsets.UTF_8));
        Mat upright = new Mat();
        Core.rotate(Photos.photo("rocket.jpg", 1280, 854), upright, Core.ROTATE_90_CLOCKWISE); // 854×1280
        Mat stored = new Mat();
        Core.rotate(upright, stored, Core.ROTATE_90_COUNTERCLOCKWISE); // what a sideways camera stores
        entries.put("sideways.jpg", Photos.withOrientation(Photos.jpeg(stored), 6));
        Mat softer = new Mat();
        Imgproc.GaussianBlur(landscape, softer, new Size(0, 0), 2.0);
        Imgproc.resize(softer, softer, new Size(1100, 733), 0, 0, Imgproc.INTER_AREA);
        entries.put("landscape-again.jpg", Photos.encode(softer, ".jpg", 1, 70));
        entries.put("cat.webp", Photos.encode(Photos.photo("chelsea.jpg", 900, 600), ".webp", 64, 90));
        byte[] whole = Photos.jpeg(Photos.photo("rocket.jpg", 900, 600));
        entries.put("corrupt.jpg", Arrays.copyOf(whole, whole.length * 2 / 3));
        return entries;
    }

    public static byte[] zip() {
        return Photos.zip(entries());
    }

    private MixedPhotos() {
    }
}
