package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.ControlRef;
import ai.booth.contracts.rules.ControlRules;
import ai.booth.diffusion.pipeline.ControlNetRequest;
import ai.booth.service.ObjectStore;
import ai.booth.service.control.Canny;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The ControlNet units of one request, ready for the engine: each control image fetched from S3 (uploaded with the
 * request, or one of the owner's dataset images; either way under the owner's prefix), preprocessed
 * (canny at the output size, or used as is), and the map fed stored beside the images as {@code control<i>.png}.
 *
 * @param units    the engine's units, in {@code controls} order
 * @param mapKeys  where each unit's map is stored in {@value Buckets#GENERATIONS}
 */
record RequestControls(List<ControlNetRequest> units, List<String> mapKeys) {

    static final RequestControls NONE = new RequestControls(List.of(), List.of());

    /**
     * @param controlNets the local file or folder of each ControlNet id (leased by the caller)
     * @param work        a private folder for the images, deleted by the caller
     */
    static RequestControls prepare(ObjectStore store, String ownerId, String generationId, List<ControlRef> controls,
                                   int width, int height, Function<String, Path> controlNets, Path work) {
        List<ControlNetRequest> units = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < controls.size(); i++) {
            ControlRef c = controls.get(i);
            if (!ControlRules.IMAGE_BUCKETS.contains(c.imageBucket())) {
                throw new IllegalArgumentException("controls[" + i + "].imageBucket must be one of "
                        + ControlRules.IMAGE_BUCKETS + ", got '" + c.imageBucket() + "'");
            }
            if (!Buckets.ownedBy(c.imageKey(), ownerId)) { // a worker never trusts an event's keys
                throw new IllegalArgumentException("controls[" + i + "].imageKey '" + c.imageKey()
                        + "' is not an image of owner " + ownerId);
            }
            if (!store.exists(c.imageBucket(), c.imageKey())) {
                throw new IllegalArgumentException("controls[" + i + "].imageKey '" + c.imageKey()
                        + "' does not exist in " + c.imageBucket());
            }
            Path input = work.resolve(generationId + "-control" + i + "-input");
            store.download(c.imageBucket(), c.imageKey(), input, Long.MAX_VALUE);
            BufferedImage image = read(input, "controls[" + i + "].imageKey");
            BufferedImage map = ControlRules.CANNY.equals(c.preprocessor())
                    ? Canny.detect(image, width, height, c.lowThreshold(), c.highThreshold()) : image;
            Path mapFile = work.resolve(generationId + "-control" + i + ".png");
            write(map, mapFile);
            String key = Buckets.generationControlMapKey(ownerId, generationId, i);
            store.put(Buckets.GENERATIONS, key, mapFile, "image/png");
            units.add(new ControlNetRequest(controlNets.apply(c.model()), mapFile, c.preprocessor(), c.scale(),
                    c.guidanceStart(), c.guidanceEnd(), c.guessMode()));
            keys.add(key);
        }
        return new RequestControls(List.copyOf(units), List.copyOf(keys));
    }

    private static BufferedImage read(Path file, String field) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new IllegalArgumentException(field + " is not a PNG or JPEG image");
            }
            String problem = ControlRules.imageSideProblem(image.getWidth(), image.getHeight());
            if (problem != null) {
                throw new IllegalArgumentException(field + " " + problem);
            }
            return image;
        } catch (IOException e) {
            throw new IllegalArgumentException(field + " is not a readable image: " + e.getMessage(), e);
        }
    }

    private static void write(BufferedImage image, Path file) {
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
