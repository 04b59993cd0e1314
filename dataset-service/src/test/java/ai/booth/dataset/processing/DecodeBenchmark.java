package ai.booth.dataset.processing;

import ai.booth.contracts.CropBox;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetSettings;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Images per second for 12-megapixel JPEGs (4000×3000, camera-like noise, quality 92, ~2–3 MB) turned into 512×512
 * training images, on 1 and 2 threads. Not a test: it prints a table. Run with
 * {@code mvn -B -q -pl dataset-service -am -Pbenchmark process-test-classes}.
 */
public final class DecodeBenchmark {

    private static final int PHOTOS = 16;
    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        OpenCv.load();
        List<byte[]> jpegs = photos();
        long bytes = jpegs.stream().mapToLong(b -> b.length).sum();
        System.out.printf(Locale.ROOT, "%d distinct 4000x3000 JPEGs, %.1f MB on average; %d cores; best of %d rounds;"
                        + " load average %.2f (other processes' demand for the same cores)%n%n", jpegs.size(),
                bytes / 1e6 / jpegs.size(), Runtime.getRuntime().availableProcessors(), ROUNDS, loadAverage());
        ImageProcessor processor = new ImageProcessor(DatasetLimits.DEFAULT);
        DatasetSettings centre = new DatasetSettings("centre", 512, false, true);
        System.out.printf("%-58s %7s %10s %10s%n", "pipeline", "threads", "images/s", "ms/image");
        for (int threads : new int[] {1, 2}) {
            row("decode at full size + centre crop + resize (baseline)", threads, jpegs, jpeg -> decodeCutResize(jpeg, false));
            row("decode DCT-scaled + centre crop + resize", threads, jpegs, jpeg -> decodeCutResize(jpeg, true));
            row("ImageProcessor, centre (+ probe, EXIF, blur, pHash)", threads, jpegs, jpeg -> {
                try (ProcessedImage image = processor.process(jpeg, centre)) {
                    image.image();
                }
            });
            row("ImageProcessor, face (+ face detection)", threads, jpegs, jpeg -> {
                try (ProcessedImage image = processor.process(jpeg, DatasetSettings.DEFAULT)) {
                    image.image();
                }
            });
            row("ImageProcessor, face, + PNG encode", threads, jpegs, jpeg -> {
                try (ProcessedImage image = processor.process(jpeg, DatasetSettings.DEFAULT)) {
                    image.png();
                }
            });
        }
        System.out.printf(Locale.ROOT, "%nload average at the end %.2f%n", loadAverage());
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The three steps the target names, with the library's own pieces; DCT scaling on or off. */
    private static void decodeCutResize(byte[] jpeg, boolean scaled) {
        ImageHeader header = ImageProbe.probe(jpeg);
        CropBox box = Cropper.box("centre", header.orientedWidth(), header.orientedHeight(), null, 512, 512);
        int reduction = scaled ? ImageProcessor.reduction(header, box, new int[] {512, 512}) : 1;
        try (NativeScope scope = new NativeScope()) {
            Mat upright = ImageProcessor.decodeUpright(jpeg, header, reduction, scope);
            scope.track(Cropper.cut(upright, header.orientedWidth(), header.orientedHeight(), box, 512, 512));
        }
    }

    private static void row(String name, int threads, List<byte[]> jpegs, Consumer<byte[]> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            run(pool, jpegs, work); // warm-up
            double best = Double.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                best = Math.min(best, run(pool, jpegs, work));
            }
            System.out.printf(Locale.ROOT, "%-58s %7d %10.1f %10.1f%n", name, threads, jpegs.size() / best,
                    best * 1000 * threads / jpegs.size());
        } finally {
            pool.shutdown();
        }
    }

    private static double run(ExecutorService pool, List<byte[]> jpegs, Consumer<byte[]> work) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (byte[] jpeg : jpegs) {
            done.add(pool.submit(() -> work.accept(jpeg)));
        }
        for (Future<?> future : done) {
            future.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Camera-sized JPEGs from the sample photos: enlarged, with sensor-like noise so they compress like photos. */
    private static List<byte[]> photos() {
        String[] samples = {"astronaut.jpg", "coffee.jpg", "rocket.jpg", "chelsea.jpg"};
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < PHOTOS; i++) {
            Mat photo = Photos.photo(samples[i % samples.length], 4000, 3000);
            Mat noise = new Mat(photo.size(), photo.type());
            Core.setRNGSeed(i);
            Core.randn(noise, 0, 4 + i % 4);
            Core.add(photo, noise, photo);
            jpegs.add(Photos.encode(photo, ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 92));
            photo.release();
            noise.release();
        }
        return jpegs;
    }

    private DecodeBenchmark() {
    }
}
