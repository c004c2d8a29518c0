package org.omnispark.trainer.export;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OmniSpark's parameter names and layouts to those of a WeNet (PyTorch) U2++ model, for export. PyTorch stores a
 * Linear weight as [out, in] and a pointwise Conv1d weight as [out, in, 1]; OmniSpark keeps [in, out]. The mapping:
 *
 * <pre>
 *   encoder.layers.N.*                       -> encoder.encoders.N.*
 *   encoder.embed.conv0 / conv1 / out        -> encoder.embed.conv.0 / conv.2 / out.0
 *   *.feed_forward.w1, b1, w2, b2 [d, ff]    -> *.feed_forward.w_1.weight [ff, d], w_1.bias, w_2.weight, w_2.bias
 *   *.experts.w1 [E, d, ff] (and b1, w2, b2) -> *.experts.e.w_1.weight [ff, d] ... one tensor per expert e
 *   encoder.router.gate [d, E] (Omni-router) -> encoder.router.gate.weight [E, d]
 *   encoder.ffnK.router.gate (Switch, K-th MoE feed-forward in forward order) -> encoder.routers.K.gate.weight
 *   decoder.X_decoder.layerN.ffn.*           -> decoder.X_decoder.decoders.N.feed_forward.*
 *   decoder.X_decoder.embed.weight           -> decoder.X_decoder.embed.0.weight
 *   ctc.weight, ctc.bias                     -> ctc.ctc_lo.weight [V, d], ctc.ctc_lo.bias
 *   every other 2-D *.weight (a Linear)      -> transposed to [out, in]; pointwise_conv1/2 also get the trailing 1
 * </pre>
 */
final class WenetNames {
    private static final Pattern EXPERTS = Pattern.compile("(.*)\\.experts\\.([wb])([12])$");
    private static final Pattern FFN = Pattern.compile("(.*)\\.(?:feed_forward|ffn)(_macaron)?\\.([wb])([12])$");
    private static final Pattern SWITCH_ROUTER = Pattern.compile("encoder\\.ffn(\\d+)\\.router\\.gate$");

    private WenetNames() {
    }

    /** One exported tensor: its WeNet name and how to take it from the OmniSpark array. */
    record Target(String name, int expert, boolean transpose, long[] shape) {
    }

    /**
     * The exported tensors of one OmniSpark parameter.
     *
     * @param name the OmniSpark name
     * @param shape its shape
     */
    static List<Target> of(String name, long[] shape) {
        List<Target> out = new ArrayList<>();
        String n = rename(name);
        Matcher m = EXPERTS.matcher(n);
        if (m.matches()) {
            String base = m.group(1) + ".experts.";
            boolean weight = m.group(2).equals("w");
            for (int e = 0; e < shape[0]; e++) {
                String t = base + e + ".w_" + m.group(3) + (weight ? ".weight" : ".bias");
                out.add(new Target(t, e, weight, weight ? new long[] {shape[2], shape[1]}
                        : new long[] {shape[shape.length - 1]}));
            }
            return out;
        }
        m = FFN.matcher(n);
        if (m.matches()) {
            boolean weight = m.group(3).equals("w");
            String t = m.group(1) + ".feed_forward" + (m.group(2) == null ? "" : m.group(2)) + ".w_" + m.group(4)
                    + (weight ? ".weight" : ".bias");
            out.add(new Target(t, -1, weight, weight ? new long[] {shape[1], shape[0]}
                    : new long[] {shape[shape.length - 1]}));
            return out;
        }
        m = SWITCH_ROUTER.matcher(name);
        if (m.matches()) {
            out.add(new Target("encoder.routers." + m.group(1) + ".gate.weight", -1, true,
                    new long[] {shape[1], shape[0]}));
            return out;
        }
        if (name.equals("encoder.router.gate")) {
            out.add(new Target("encoder.router.gate.weight", -1, true, new long[] {shape[1], shape[0]}));
            return out;
        }
        boolean linear = shape.length == 2 && n.endsWith(".weight") && !n.endsWith("embed.0.weight");
        if (linear && n.contains("pointwise_conv")) {
            out.add(new Target(n, -1, true, new long[] {shape[1], shape[0], 1}));
        } else if (linear) {
            out.add(new Target(n, -1, true, new long[] {shape[1], shape[0]}));
        } else {
            out.add(new Target(n, -1, false, shape.clone()));
        }
        return out;
    }

    private static String rename(String name) {
        String n = name.replaceFirst("^encoder\\.layers\\.", "encoder.encoders.")
                .replaceFirst("^encoder\\.embed\\.conv0\\.", "encoder.embed.conv.0.")
                .replaceFirst("^encoder\\.embed\\.conv1\\.", "encoder.embed.conv.2.")
                .replaceFirst("^encoder\\.embed\\.out\\.", "encoder.embed.out.0.")
                .replaceFirst("^(decoder\\.\\w+_decoder)\\.layer(\\d+)\\.", "$1.decoders.$2.")
                .replaceFirst("^(decoder\\.\\w+_decoder)\\.embed\\.weight$", "$1.embed.0.weight");
        if (n.equals("ctc.weight") || n.equals("ctc.bias")) {
            n = "ctc.ctc_lo." + n.substring(4);
        }
        return n;
    }
}
