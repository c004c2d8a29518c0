package org.omnispark.trainer.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a matrix as a PNG heatmap with {@link BufferedImage} and {@link ImageIO} (no plotting library, headless):
 * one square cell per value coloured with {@link ColorScale}, the value printed in the cell for grids up to {@value
 * HeatmapLayout#MAX_ANNOTATED} x {@value HeatmapLayout#MAX_ANNOTATED}, row / column index ticks and axis labels, a
 * title, and a colour bar with its range. Geometry: {@link HeatmapLayout#of}.
 */
public final class HeatmapWriter {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private HeatmapWriter() {}

    /**
     * Writes a heatmap of {@code values [rows][cols]}; row r is drawn r-th from the top.
     *
     * @param png destination file; parent folders are created
     * @param values the matrix, rectangular, at least 1 x 1; NaN cells are grey
     * @param title text above the grid
     * @param rowLabel what the rows are (drawn vertically on the left)
     * @param colLabel what the columns are (drawn below)
     * @param vmin value drawn with the bottom colour of the scale (smaller values are clamped)
     * @param vmax value drawn with the top colour of the scale (larger values are clamped); must exceed vmin
     */
    public static void write(Path png, double[][] values, String title, String rowLabel, String colLabel,
            double vmin, double vmax) {
        if (values.length == 0 || values[0].length == 0) {
            throw new IllegalArgumentException("cannot draw an empty matrix to " + png);
        }
        for (double[] row : values) {
            if (row.length != values[0].length) {
                throw new IllegalArgumentException("the matrix for " + png + " is ragged; pass a rectangular array");
            }
        }
        if (!(vmax > vmin)) {
            throw new IllegalArgumentException("need vmax > vmin for a colour scale, got [" + vmin + ", " + vmax + "]");
        }
        HeatmapLayout layout = HeatmapLayout.of(values.length, values[0].length);
        BufferedImage image = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, layout.width(), layout.height());
            drawCells(g, layout, values, vmin, vmax);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            if (layout.annotated()) {
                drawValues(g, layout, values, vmin, vmax);
            }
            drawAxes(g, layout, title, rowLabel, colLabel);
            drawColorBar(g, layout, vmin, vmax);
        } finally {
            g.dispose();
        }
        try {
            if (png.toAbsolutePath().getParent() != null) {
                Files.createDirectories(png.toAbsolutePath().getParent());
            }
            if (!ImageIO.write(image, "png", png.toFile())) {
                throw new IllegalStateException("this JVM has no PNG writer for ImageIO");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the heatmap " + png, e);
        }
    }

    private static void drawCells(Graphics2D g, HeatmapLayout layout, double[][] values, double vmin, double vmax) {
        for (int r = 0; r < layout.rows(); r++) {
            for (int c = 0; c < layout.cols(); c++) {
                g.setColor(new Color(ColorScale.rgb(values[r][c], vmin, vmax)));
                g.fillRect(layout.cellX(c), layout.cellY(r), layout.cell(), layout.cell());
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(layout.left() - 1, layout.top() - 1, layout.cols() * layout.cell() + 1,
                layout.rows() * layout.cell() + 1);
    }

    private static void drawValues(Graphics2D g, HeatmapLayout layout, double[][] values, double vmin, double vmax) {
        g.setFont(TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < layout.rows(); r++) {
            for (int c = 0; c < layout.cols(); c++) {
                String text = format(values[r][c]);
                boolean light = ColorScale.isLight(ColorScale.rgb(values[r][c], vmin, vmax));
                g.setColor(light ? Color.BLACK : Color.WHITE);
                int x = layout.cellX(c) + (layout.cell() - fm.stringWidth(text)) / 2;
                int y = layout.cellY(r) + (layout.cell() + fm.getAscent() - fm.getDescent()) / 2;
                g.drawString(text, x, y);
            }
        }
    }

    private static void drawAxes(Graphics2D g, HeatmapLayout layout, String title, String rowLabel, String colLabel) {
        g.setColor(Color.BLACK);
        g.setFont(TITLE_FONT);
        FontMetrics tm = g.getFontMetrics();
        g.drawString(title, Math.max(4, (layout.width() - tm.stringWidth(title)) / 2), 24);

        g.setFont(TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        int gridBottom = layout.cellY(layout.rows());
        int colStep = layout.tickStep(fm.stringWidth(Integer.toString(layout.cols() - 1)) + 6);
        for (int c = 0; c < layout.cols(); c += colStep) {
            String t = Integer.toString(c);
            int x = layout.cellX(c) + (layout.cell() - fm.stringWidth(t)) / 2;
            g.drawString(t, x, gridBottom + 4 + fm.getAscent());
        }
        int rowStep = layout.tickStep(fm.getHeight());
        for (int r = 0; r < layout.rows(); r += rowStep) {
            String t = Integer.toString(r);
            int y = layout.cellY(r) + (layout.cell() + fm.getAscent() - fm.getDescent()) / 2;
            g.drawString(t, layout.left() - 6 - fm.stringWidth(t), y);
        }

        g.setFont(LABEL_FONT);
        FontMetrics lm = g.getFontMetrics();
        int gridCenterX = layout.left() + layout.cols() * layout.cell() / 2;
        g.drawString(colLabel, Math.max(4, gridCenterX - lm.stringWidth(colLabel) / 2),
                gridBottom + 8 + fm.getHeight() + lm.getAscent());
        int gridCenterY = layout.top() + layout.rows() * layout.cell() / 2;
        AffineTransform saved = g.getTransform();
        g.translate(18, gridCenterY + lm.stringWidth(rowLabel) / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(rowLabel, 0, 0);
        g.setTransform(saved);
    }

    private static void drawColorBar(Graphics2D g, HeatmapLayout layout, double vmin, double vmax) {
        int x = layout.barX();
        int h = layout.barHeight();
        for (int y = 0; y < h; y++) {
            double t = h == 1 ? 1 : 1 - (double) y / (h - 1); // top row = vmax
            g.setColor(new Color(ColorScale.rgb(t)));
            g.fillRect(x, layout.top() + y, layout.barWidth(), 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x - 1, layout.top() - 1, layout.barWidth() + 1, h + 1);
        g.setColor(Color.BLACK);
        g.setFont(TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        int labelX = x + layout.barWidth() + 5;
        g.drawString(format(vmax), labelX, layout.top() + fm.getAscent() - 2);
        g.drawString(format((vmin + vmax) / 2), labelX, layout.top() + h / 2 + fm.getAscent() / 2);
        g.drawString(format(vmin), labelX, layout.top() + h);
    }

    /**
     * @param v a value
     * @return an integer from 100 in magnitude, three decimals below 0.1, two otherwise
     */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a > 0 && a < 0.1 ? "%.3f" : "%.2f";
        return String.format(Locale.ROOT, pattern, v);
    }
}
