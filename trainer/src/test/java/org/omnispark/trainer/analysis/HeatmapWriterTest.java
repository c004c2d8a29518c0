package org.omnispark.trainer.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeatmapWriterTest {

    private static BufferedImage read(Path png) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO could not decode " + png);
        return image;
    }

    /** A pixel near the top-left corner of a cell, away from the printed value in its centre. */
    private static int cellPixel(BufferedImage image, HeatmapLayout layout, int row, int col) {
        return image.getRGB(layout.cellX(col) + 3, layout.cellY(row) + 3) & 0xFFFFFF;
    }

    @Test
    void smallGridDecodesWithExpectedSizeAndColours(@TempDir Path dir) throws Exception {
        double[][] values = {{0.0, 0.25, 0.5}, {0.75, 1.0, 0.1}};
        Path png = dir.resolve("small.png");
        HeatmapWriter.write(png, values, "test grid", "row", "column", 0, 1);
        BufferedImage image = read(png);
        HeatmapLayout layout = HeatmapLayout.of(2, 3);
        assertEquals(layout.width(), image.getWidth(), "width");
        assertEquals(layout.height(), image.getHeight(), "height");
        assertTrue(layout.annotated(), "2 x 3 is small enough for printed values");
        // the max-value cell (row 1, col 1) has the top colour, the min-value cell the bottom colour
        assertEquals(ColorScale.TOP, cellPixel(image, layout, 1, 1),
                "max cell " + Integer.toHexString(cellPixel(image, layout, 1, 1)));
        assertEquals(ColorScale.BOTTOM, cellPixel(image, layout, 0, 0),
                "min cell " + Integer.toHexString(cellPixel(image, layout, 0, 0)));
        assertEquals(ColorScale.rgb(0.5), cellPixel(image, layout, 0, 2), "mid cell");
        // colour bar: top row is vmax
        assertEquals(ColorScale.TOP, image.getRGB(layout.barX() + 5, layout.top()) & 0xFFFFFF, "colour bar top");
        // the centre of the max cell carries dark text on the light cell: some pixel there is not the cell colour
        int cx = layout.cellX(1) + layout.cell() / 2;
        int cy = layout.cellY(1) + layout.cell() / 2;
        boolean text = false;
        for (int dx = -8; dx <= 8 && !text; dx++) {
            text = (image.getRGB(cx + dx, cy) & 0xFFFFFF) != ColorScale.TOP;
        }
        assertTrue(text, "the value 1.00 is printed in the max cell");
    }

    @Test
    void largeGridHasNoValuesAndClampsOutOfRange(@TempDir Path dir) throws Exception {
        int rows = 18;
        int cols = 64;
        double[][] values = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                values[r][c] = (r * cols + c) / (double) (rows * cols - 1);
            }
        }
        values[3][7] = 5.0; // above vmax -> clamped to the top colour
        Path png = dir.resolve("large.png");
        HeatmapWriter.write(png, values, "18 layers x 64 experts", "layer", "expert", 0, 1);
        BufferedImage image = read(png);
        HeatmapLayout layout = HeatmapLayout.of(rows, cols);
        assertEquals(layout.width(), image.getWidth());
        assertEquals(layout.height(), image.getHeight());
        assertTrue(!layout.annotated(), "18 x 64 is too large for printed values");
        assertEquals(ColorScale.TOP, cellPixel(image, layout, 3, 7), "clamped cell");
        assertEquals(ColorScale.TOP, cellPixel(image, layout, rows - 1, cols - 1), "last cell = 1.0");
    }

    @Test
    void rejectsBadArguments(@TempDir Path dir) {
        Path png = dir.resolve("x.png");
        assertThrows(IllegalArgumentException.class, () -> HeatmapWriter.write(png, new double[][] {{1}}, "t", "r",
                "c", 1, 1), "vmax == vmin");
        assertThrows(IllegalArgumentException.class, () -> HeatmapWriter.write(png, new double[][] {{1, 2}, {1}}, "t",
                "r", "c", 0, 1), "ragged");
    }

    @Test
    void colourScaleEnds() {
        assertEquals(0x440154, ColorScale.rgb(0.0));
        assertEquals(0xFDE725, ColorScale.rgb(1.0));
        assertEquals(0xFDE725, ColorScale.rgb(7.0, 0, 1), "clamped above");
        assertEquals(0x440154, ColorScale.rgb(-7.0, 0, 1), "clamped below");
        // halfway between anchors 0x26828E (t = 4/8) and 0x1F9E89 (t = 5/8): (0x26+0x1F)/2 = 34.5 -> 35 = 0x23 ...
        assertEquals(0x23908C, ColorScale.rgb(9 / 16.0), Integer.toHexString(ColorScale.rgb(9 / 16.0)));
    }

    @Test
    void routingPlotsWritesAllFiles(@TempDir Path dir) throws Exception {
        RoutingStatistics s = RoutingFixtures.newStats();
        s.add(RoutingFixtures.TOP, RoutingFixtures.VALID);
        RoutingReport report = s.report();
        Path out = dir.resolve("plots");
        List<Path> files = RoutingPlots.writeAll(report, out);
        List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("usage.png", "agreement.png", "matched_agreement.png", "nmi.png", "cond_L0_L1.png",
                "cond_L1_L2.png"), names);
        for (Path f : files) {
            BufferedImage image = read(f);
            HeatmapLayout layout = HeatmapLayout.of(3, 3);
            assertEquals(layout.width(), image.getWidth(), f.toString());
            assertEquals(layout.height(), image.getHeight(), f.toString());
        }
        // cond_L0_L1 row 0 = (1, 0, 0): cell (0, 0) is the top colour, (0, 1) the bottom one
        BufferedImage cond = read(out.resolve("cond_L0_L1.png"));
        HeatmapLayout layout = HeatmapLayout.of(3, 3);
        assertEquals(ColorScale.TOP, cellPixel(cond, layout, 0, 0));
        assertEquals(ColorScale.BOTTOM, cellPixel(cond, layout, 0, 1));
        // usage is scaled to its max fraction (2/3, layer 1 expert 1), which gets the top colour
        assertEquals(ColorScale.TOP, cellPixel(read(out.resolve("usage.png")), layout, 1, 1));
        String keep = System.getProperty("omnispark.routingPlotsDir");
        if (keep != null) {
            RoutingPlots.writeAll(report, Path.of(keep));
        }
    }
}
