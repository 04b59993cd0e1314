package ai.booth.diffusion.pipeline;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays equally sized cell images out in a labelled grid: column labels on a header row, row labels in a left column,
 * cells edge to edge so a cell's pixels are exactly the image's. Text is drawn with Java2D's logical SansSerif font.
 */
public final class ContactSheet {

    private static final Color BACKGROUND = Color.WHITE;
    private static final Color INK = Color.BLACK;

    /** Where things are: the label column's width and the header row's height, and the cell size. */
    public record Layout(int labelWidth, int headerHeight, int cellWidth, int cellHeight, int rows, int columns) {
        public int x(int column) {
            return labelWidth + column * cellWidth;
        }

        public int y(int row) {
            return headerHeight + row * cellHeight;
        }

        public int width() {
            return x(columns);
        }

        public int height() {
            return y(rows);
        }
    }

    /** A composed sheet and where its cells are. */
    public record Sheet(BufferedImage image, Layout layout) { }

    private ContactSheet() {
    }

    /**
     * @param cells        row-major, rows × columns images of one size
     * @param columnLabels one label per column
     * @param rowLabels    one label per row
     */
    public static Sheet compose(List<BufferedImage> cells, List<String> columnLabels, List<String> rowLabels) {
        int rows = rowLabels.size();
        int columns = columnLabels.size();
        if (cells.size() != rows * columns) {
            throw new IllegalArgumentException("contact sheet: " + cells.size() + " cells for " + rows + " rows × "
                    + columns + " columns");
        }
        int w = cells.get(0).getWidth();
        int h = cells.get(0).getHeight();
        Font font = font(w, h);
        FontMetrics metrics = metrics(font);
        int pad = metrics.getHeight() / 2;
        Layout layout = layout(w, h, columnLabels, rowLabels);
        BufferedImage sheet = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            g.setColor(INK);
            for (int c = 0; c < columns; c++) {
                List<String> lines = wrap(columnLabels.get(c), w - pad, metrics);
                int top = (layout.headerHeight() - lines.size() * metrics.getHeight()) / 2;
                for (int i = 0; i < lines.size(); i++) {
                    g.drawString(lines.get(i), layout.x(c) + (w - metrics.stringWidth(lines.get(i))) / 2,
                            top + i * metrics.getHeight() + metrics.getAscent());
                }
            }
            for (int r = 0; r < rows; r++) {
                List<String> lines = wrap(rowLabels.get(r), layout.labelWidth() - 2 * pad, metrics);
                int top = layout.y(r) + (h - lines.size() * metrics.getHeight()) / 2;
                for (int i = 0; i < lines.size(); i++) {
                    g.drawString(lines.get(i), pad, top + i * metrics.getHeight() + metrics.getAscent());
                }
                for (int c = 0; c < columns; c++) {
                    BufferedImage cell = cells.get(r * columns + c);
                    if (cell.getWidth() != w || cell.getHeight() != h) {
                        throw new IllegalArgumentException("contact sheet cells must all be " + w + "x" + h
                                + ", cell " + r + "," + c + " is " + cell.getWidth() + "x" + cell.getHeight());
                    }
                    g.drawImage(cell, layout.x(c), layout.y(r), null);
                }
            }
        } finally {
            g.dispose();
        }
        return new Sheet(sheet, layout);
    }

    /** The layout {@link #compose} uses for these labels and cell size. */
    public static Layout layout(int cellWidth, int cellHeight, List<String> columnLabels, List<String> rowLabels) {
        FontMetrics metrics = metrics(font(cellWidth, cellHeight));
        int pad = metrics.getHeight() / 2;
        // row labels get at most a cell's width, column labels their cell's: longer ones (prompts) wrap
        int labelWidth = rowLabels.stream().flatMap(label -> wrap(label, cellWidth, metrics).stream())
                .mapToInt(metrics::stringWidth).max().orElse(0) + 2 * pad;
        int headerLines = columnLabels.stream().mapToInt(label -> wrap(label, cellWidth - pad, metrics).size())
                .max().orElse(1);
        return new Layout(labelWidth, headerLines * metrics.getHeight() + 2 * pad, cellWidth, cellHeight,
                rowLabels.size(), columnLabels.size());
    }

    /** The label in lines of at most {@code width} pixels, broken between words (a longer word gets its own line). */
    static List<String> wrap(String label, int width, FontMetrics metrics) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : label.strip().split("\\s+")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (!line.isEmpty() && metrics.stringWidth(candidate) > width) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(candidate);
            }
        }
        lines.add(line.toString());
        return lines;
    }

    /** Labels scale with the cells: 1/16 of the smaller side, at least 12 px. */
    private static Font font(int cellWidth, int cellHeight) {
        return new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(12, Math.min(cellWidth, cellHeight) / 16));
    }

    private static FontMetrics metrics(Font font) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }
}
