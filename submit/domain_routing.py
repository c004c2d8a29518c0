"""Expert specialisation by domain: the mutual information between an evaluation set's domain and the top-1 expert,
per MoE layer, from the routing.json that `omnispark eval` writes for every set (top1_counts [L][E]).

Used by submit/experiment_report.py (issue 19 item 3). For one model, seed and layer l the joint table has one row per
set (domain) and one column per expert, cell = tokens of that set whose top-1 expert in layer l is that expert;
MI(domain; expert) in bits, with a G-test of independence beside it (the MI a domain-blind router shows with this
many tokens, and the p-value). Stdlib only.
"""
import json
import math
import os
import statistics


def mutual_information(joint):
    """MI in bits of a joint count table (list of rows); 0 for an empty table."""
    n = sum(sum(row) for row in joint)
    if n == 0:
        return 0.0
    rows = [sum(row) for row in joint]
    cols = [sum(col) for col in zip(*joint)]
    mi = 0.0
    for i, row in enumerate(joint):
        for j, c in enumerate(row):
            if c:
                mi += c / n * math.log2(c * n / (rows[i] * cols[j]))
    return mi


def independence_test(joint):
    """G-test of independence: (expected MI under independence in bits, p-value).

    G = 2 N MI (nats) is chi-square with (R - 1)(C - 1) degrees of freedom when the columns do not depend on the rows,
    so the MI a domain-blind router shows with N tokens is about df / (2 N ln 2) bits (its bias); the p-value is the
    chi-square tail by the Wilson-Hilferty approximation (rows or columns without tokens do not count).
    """
    rows = [r for r in joint if sum(r)]
    cols = [c for c in zip(*rows) if sum(c)] if rows else []
    n = sum(sum(r) for r in rows)
    df = (len(rows) - 1) * (len(cols) - 1)
    if n == 0 or df == 0:
        return 0.0, 1.0
    g = 2 * n * math.log(2) * mutual_information(joint)
    return df / (2 * n * math.log(2)), chi_square_tail(g, df)


def chi_square_tail(x, df):
    """P(chi-square with df degrees of freedom > x), by the Wilson-Hilferty cube-root normal approximation."""
    if x <= 0:
        return 1.0
    z = ((x / df) ** (1 / 3) - (1 - 2 / (9 * df))) / math.sqrt(2 / (9 * df))
    return 0.5 * math.erfc(z / math.sqrt(2))


def layer_tables(run, sets):
    """The joint [set][expert] tables per layer of one run, or None when a set's routing.json is missing."""
    per_set = []
    for s in sets:
        path = os.path.join(run, "eval", s, "routing.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            per_set.append(json.load(f)["top1_counts"])
    layers = len(per_set[0])
    return [[per_set[k][layer] for k in range(len(sets))] for layer in range(layers)]


def section(out, seeds, sets, models, paired_interval):
    """Markdown lines and a results dict: MI per layer (mean over seeds), its null, and Omni - Switch paired by seed.

    paired_interval(diffs) -> dict with mean, ci95 (the t-interval over seeds of experiment_report.py).
    """
    found = {}  # model -> seed -> ([MI per layer], [MI a domain-blind router shows], [G-test p-value])
    for model in models:
        for sd in seeds:
            tables = layer_tables(os.path.join(out, "exp", "%s_s%s" % (model, sd)), sets)
            if tables is None:
                continue
            mi, null, p = [], [], []
            for t in tables:
                mi.append(mutual_information(t))
                expected, pvalue = independence_test(t)
                null.append(expected)
                p.append(pvalue)
            found.setdefault(model, {})[sd] = (mi, null, p)
    if not found:
        return [], {}
    layers = max(len(v[0]) for per_seed in found.values() for v in per_seed.values())
    lines = ["## Expert specialisation by domain (issue 19 item 3, measured on the evaluation sets)", "",
             "Mutual information between an evaluation set's domain (%s) and the top-1 expert, per MoE layer, in "
             "bits, mean over seeds; \"null\" is the MI the same token counts give when routing ignores the domain "
             "(the G-test's df / (2 N ln 2)), and the last column counts the (seed, layer) tables whose G-test of "
             "independence gives p < 0.01. The models were trained on one domain (espeak-ng, training "
             "voices): this measures how differently the routers treat unseen domains, not specialisation learned "
             "from a labelled mix (not trained). Upper bound: log2 of the expert count." % ", ".join(sets),
             "", "| model | seeds | " + " | ".join("layer %d" % i for i in range(layers))
             + " | mean over layers | null (mean) | runs x layers with p < 0.01 |", "|---" * (layers + 5) + "|"]
    results = {}
    for model, per_seed in found.items():
        mis = [v[0] for v in per_seed.values()]
        per_layer = [statistics.mean(m[i] for m in mis) for i in range(len(mis[0]))]
        means = [statistics.mean(m) for m in mis]
        null = statistics.mean(statistics.mean(v[1]) for v in per_seed.values())
        strong = sum(1 for v in per_seed.values() for x in v[2] if x < 0.01)
        results[model] = {"seeds": sorted(per_seed), "per_layer": per_layer, "mean_per_seed": means, "null": null,
                          "p_below_0.01": strong, "cells": len(per_seed) * len(per_layer)}
        cells = ["%.4f" % x for x in per_layer] + ["-"] * (layers - len(per_layer))
        lines.append("| %s | %d | %s | %.4f | %.4f | %d of %d |" % (
            model, len(per_seed), " | ".join(cells), statistics.mean(means), null, strong,
            len(per_seed) * len(per_layer)))
    pairs = [(m, m.replace("_omni", "_switch")) for m in found if m.endswith("_omni")
             and m.replace("_omni", "_switch") in found]
    if pairs:
        lines += ["", "Omni-router - Switch, MI averaged over layers, paired by seed (t-interval over the seeds):", "",
                  "| A | B | seeds | mean diff (bits) | t 95% interval | seeds agreeing |", "|---|---|---|---|---|---|"]
    for a, b in pairs:
        common = [sd for sd in seeds if sd in found[a] and sd in found[b]]
        diffs = [statistics.mean(found[a][sd][0]) - statistics.mean(found[b][sd][0]) for sd in common]
        if len(diffs) < 2:
            continue
        t = paired_interval(diffs)
        results.setdefault("comparisons", []).append({"a": a, "b": b, "seeds": common, "t": t})
        lines.append("| %s | %s | %d | %+.4f | [%+.4f, %+.4f] | %d of %d |" % (
            a, b, len(common), t["mean"], t["ci95"][0], t["ci95"][1], t["agree"], t["n"]))
    lines.append("")
    return lines, results
