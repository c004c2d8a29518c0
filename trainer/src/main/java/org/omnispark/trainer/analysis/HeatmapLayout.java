package org.omnispark.trainer.analysis;

/**
 * Pixel geometry of a heatmap drawn by {@link HeatmapWriter}: title on top, row ticks and label on the left, column
 * ticks and label below, colour bar on the right (anything wider than needed is white space on the right). Cells are
 * square.
 *
 * @param rows grid rows
 * @param cols grid columns
 * @param cell side of a cell in pixels
 * @param left x of the grid's left edge
 * @param top y of the grid's top edge
 * @param width image width
 * @param height image height
 */
public record HeatmapLayout(int rows, int cols, int cell, int left, int top, int width, int height) {

    /** Grids up to this many rows and columns get their values printed in the cells. */
    public static final int MAX_ANNOTATED = 16;

    private static final int GRID_TARGET = 560;
    private static final int TOP_MARGIN = 56;
    private static final int LEFT_MARGIN = 72;
    private static final int BOTTOM_MARGIN = 60;
    private static final int BAR_GAP = 18;
    private static final int BAR_WIDTH = 20;
    private static final int BAR_LABELS = 64;
    private static final int MIN_WIDTH = 360; // room for a title

    /** Validates sizes. */
    public HeatmapLayout {
        if (rows < 1 || cols < 1 || cell < 1) {
            throw new IllegalArgumentException("a heatmap needs at least one row, one column and 1-pixel cells; got "
                    + rows + " x " + cols + " with cell " + cell);
        }
    }

    /**
     * @param rows grid rows
     * @param cols grid columns
     * @return the layout used for a grid of that size
     */
    public static HeatmapLayout of(int rows, int cols) {
        int cell = Math.max(4, Math.min(56, GRID_TARGET / Math.max(rows, cols)));
        if (rows <= MAX_ANNOTATED && cols <= MAX_ANNOTATED) {
            cell = Math.max(cell, 36); // room for a printed value such as "0.67"
        }
        int width = Math.max(MIN_WIDTH, LEFT_MARGIN + cols * cell + BAR_GAP + BAR_WIDTH + BAR_LABELS);
        int height = TOP_MARGIN + Math.max(rows * cell, 120) + BOTTOM_MARGIN;
        return new HeatmapLayout(rows, cols, cell, LEFT_MARGIN, TOP_MARGIN, width, height);
    }

    /** @return true when cell values are printed */
    public boolean annotated() {
        return rows <= MAX_ANNOTATED && cols <= MAX_ANNOTATED;
    }

    /**
     * @param col column index
     * @return x of the column's left edge
     */
    public int cellX(int col) {
        return left + col * cell;
    }

    /**
     * @param row row index
     * @return y of the row's top edge
     */
    public int cellY(int row) {
        return top + row * cell;
    }

    /** @return x of the colour bar's left edge */
    public int barX() {
        return left + cols * cell + BAR_GAP;
    }

    /** @return colour bar width */
    public int barWidth() {
        return BAR_WIDTH;
    }

    /** @return colour bar height (the grid height, at least 120 pixels) */
    public int barHeight() {
        return Math.max(rows * cell, 120);
    }

    /**
     * @param minSpacing smallest distance in pixels between two tick labels
     * @return draw a tick label every this many cells
     */
    public int tickStep(int minSpacing) {
        return Math.max(1, (minSpacing + cell - 1) / cell);
    }
}
