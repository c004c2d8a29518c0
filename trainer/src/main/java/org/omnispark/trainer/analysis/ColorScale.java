package org.omnispark.trainer.analysis;

/**
 * A viridis-like colour ramp (dark purple -&gt; blue -&gt; green -&gt; yellow): perceptually ordered, readable in grey
 * scale and by colour-blind readers. Piecewise-linear between nine anchor colours sampled from the viridis map.
 */
public final class ColorScale {

    /** Anchor colours at t = 0, 1/8, ..., 1 (0xRRGGBB). */
    private static final int[] ANCHORS = {
        0x440154, 0x482878, 0x3E4989, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6ECE58, 0xFDE725
    };

    /** Colour of the lowest value (0xRRGGBB). */
    public static final int BOTTOM = ANCHORS[0];

    /** Colour of the highest value (0xRRGGBB). */
    public static final int TOP = ANCHORS[ANCHORS.length - 1];

    private ColorScale() {}

    /**
     * @param t position on the scale; clamped to [0, 1]; NaN gives grey
     * @return the colour as 0xRRGGBB
     */
    public static int rgb(double t) {
        if (Double.isNaN(t)) {
            return 0xBBBBBB;
        }
        double x = Math.min(1, Math.max(0, t)) * (ANCHORS.length - 1);
        int lo = Math.min((int) Math.floor(x), ANCHORS.length - 2);
        double f = x - lo;
        int a = ANCHORS[lo];
        int b = ANCHORS[lo + 1];
        return (mix(a >> 16, b >> 16, f) << 16) | (mix(a >> 8, b >> 8, f) << 8) | mix(a, b, f);
    }

    /**
     * @param value a value
     * @param vmin value drawn with {@link #BOTTOM}
     * @param vmax value drawn with {@link #TOP}
     * @return the colour as 0xRRGGBB
     */
    public static int rgb(double value, double vmin, double vmax) {
        return rgb(vmax > vmin ? (value - vmin) / (vmax - vmin) : 0);
    }

    /**
     * @param rgb a colour 0xRRGGBB
     * @return true when black text reads better on it than white
     */
    public static boolean isLight(int rgb) {
        double luma = 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
        return luma > 140;
    }

    private static int mix(int a, int b, double f) {
        int ca = a & 0xFF;
        int cb = b & 0xFF;
        return (int) Math.round(ca + (cb - ca) * f);
    }
}
