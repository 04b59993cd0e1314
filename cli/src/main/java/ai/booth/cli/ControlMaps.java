package ai.booth.cli;

import ai.booth.contracts.rules.ControlRules;
import ai.booth.diffusion.pipeline.ControlNetRequest;
import ai.booth.service.control.Canny;
import ai.booth.diffusion.pipeline.GenerationParams;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The control maps of a request: units given on the command line are preprocessed here (canny) into maps at the
 * output size; replayed units already carry their saved maps. Every map fed is saved beside each result, which is
 * where {@code --from-png} finds it again.
 */
final class ControlMaps {

    private ControlMaps() {
    }

    /** The units for the command-line groups, maps written to {@code work}; {@code params} must be sized. */
    static List<ControlNetRequest> fromOptions(List<ControlNetOptions> groups, GenerationParams params, Path work) {
        List<ControlNetRequest> units = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            ControlNetOptions g = groups.get(i);
            String[] parts = g.preprocess.trim().split(":");
            String module = parts[0].toLowerCase();
            Path map = switch (module) {
                case "none" -> g.image;
                case "canny" -> canny(g.image, parts, params, work.resolve("control" + i + ".png"));
                default -> throw new IllegalArgumentException("--control-preprocess must be canny[:LOW:HIGH] or "
                        + "none, got " + g.preprocess);
            };
            units.add(new ControlNetRequest(g.model, map, module, g.scale, g.start, g.end, g.guessMode));
        }
        return units;
    }

    private static Path canny(Path image, String[] parts, GenerationParams p, Path out) {
        if (parts.length != 1 && parts.length != 3) {
            throw new IllegalArgumentException("--control-preprocess canny takes no or two thresholds: canny:LOW:HIGH");
        }
        double low = parts.length == 3 ? Double.parseDouble(parts[1]) : ControlRules.DEFAULT_CANNY_LOW;
        double high = parts.length == 3 ? Double.parseDouble(parts[2]) : ControlRules.DEFAULT_CANNY_HIGH;
        write(Canny.detect(read(image), p.width(), p.height(), low, high), out);
        return out;
    }

    /** Where a result's map for unit {@code i} is saved: {@code NNNNN-SEED-control<i>.png} beside it. */
    static Path besideResult(Path png, int i) {
        String name = png.getFileName().toString();
        String stem = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        return png.resolveSibling(stem + "-control" + i + ".png");
    }

    /** Saves each unit's map beside {@code png} (PNG files copied, other formats re-encoded as PNG). */
    static void saveBeside(Path png, GenerationParams params) {
        List<ControlNetRequest> units = params.controlNets();
        for (int i = 0; i < units.size(); i++) {
            Path map = units.get(i).image();
            Path target = besideResult(png, i);
            try {
                if (map.getFileName().toString().toLowerCase().endsWith(".png")) {
                    Files.copy(map, target, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    write(read(map), target);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save control map " + target, e);
            }
        }
    }

    /** Replayed units: each gets the map saved beside the replayed image. */
    static List<ControlNetRequest> replayed(List<ControlNetRequest> units, Path png) {
        List<ControlNetRequest> out = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Path map = besideResult(png, i);
            if (!Files.isRegularFile(map)) {
                throw new IllegalArgumentException(png + " used ControlNet " + i + " (" + units.get(i).name()
                        + ") but its map " + map + " is missing; give the units again with --controlnet and "
                        + "--control-image");
            }
            out.add(units.get(i).withImage(map));
        }
        return out;
    }

    private static BufferedImage read(Path file) {
        try {
            BufferedImage image = Files.isRegularFile(file) ? ImageIO.read(file.toFile()) : null;
            if (image == null) {
                throw new IllegalArgumentException("control image " + file + " is missing or not a readable image");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void write(BufferedImage image, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
