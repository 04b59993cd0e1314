package ai.booth.diffusion.pipeline;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Renders a {@link Sweep}: one image per cell (the base request with the cell's two values), all in one pipeline
 * call so LoRA files are attached once and text embeddings are reused wherever the text-encoder scale does not
 * change, then one labelled contact sheet. Each cell is exactly the image its own parameters give alone.
 */
public final class SweepRenderer {

    private final TextToImagePipeline pipeline;

    public SweepRenderer(TextToImagePipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** The sheet, its infotext, and the cells row-major (rows = y values, columns = x values). */
    public record Result(BufferedImage sheet, String infotext, ContactSheet.Layout layout, List<ImageResult> cells) {

        public ImageResult cell(int row, int column) {
            return cells.get(row * layout.columns() + column);
        }

        public void writePng(java.nio.file.Path file) {
            PngFiles.write(sheet, Map.of(PngFiles.PARAMETERS, infotext), file);
        }
    }

    public Result render(GenerationParams base, Sweep sweep, StepListener listener, BooleanSupplier cancelled) {
        if (base.imagesPerPrompt() != 1) {
            throw new IllegalArgumentException("images_per_prompt must be 1 for a sweep (one image per cell), got "
                    + base.imagesPerPrompt());
        }
        sweep.xValues().forEach(v -> sweep.x().check(base, v));
        sweep.yValues().forEach(v -> sweep.y().check(base, v));
        List<GenerationParams> cells = new ArrayList<>();
        for (String y : sweep.yValues()) {
            for (String x : sweep.xValues()) {
                cells.add(sweep.x().apply(sweep.y().apply(base, y), x));
            }
        }
        List<ImageResult> images = pipeline.generateAll(cells, listener, cancelled).stream()
                .map(r -> r.images().get(0)).toList();
        List<String> columns = sweep.xValues().stream().map(sweep.x()::format).toList();
        List<String> rows = sweep.yValues().stream().map(sweep.y()::format).toList();
        ContactSheet.Sheet sheet = ContactSheet.compose(images.stream().map(ImageResult::toImage).toList(),
                columns, rows);
        Map<String, String> axes = new LinkedHashMap<>();
        axes.put("X Type", sweep.x().label());
        axes.put("X Values", values(sweep.x(), sweep.xValues()));
        axes.put("Y Type", sweep.y().label());
        axes.put("Y Values", values(sweep.y(), sweep.yValues()));
        return new Result(sheet.image(), Infotext.appendFields(images.get(0).infotext(), axes), sheet.layout(), images);
    }

    private static String values(SweepAxis axis, List<String> values) {
        return String.join(", ", values.stream().map(axis::formatValue).toList());
    }
}
