#!/usr/bin/python3
"""Issue 11's tables, regenerated from the runs' report.json, trn and routing.json files (submit/experiment.sh).

Usage: /usr/bin/python3 submit/experiment_report.py OUT [--bootstrap N]
Reads OUT/recipe.json and OUT/exp/<model>_s<seed>/{eval/<set>/report.json, eval/<set>/<mode>/utterances.tsv (or {hyp,ref}.trn),
eval/<set>/routing.json, rtf/*/report.json}; writes OUT/results.md, OUT/results.json and OUT/plots/.

Per model and set: mean and sample standard deviation over seeds of WER and CER (the model's primary mode:
attention rescoring when it has a decoder, else CTC greedy; full context); the average over the out-of-domain sets;
the relative change vs dense and vs Switch of the same family. The verdicts count every noise source: differences
paired by seed with a t-interval over the seeds, a hierarchical bootstrap (seeds, then sentences, the out-of-domain
sets of a sentence resampled together) and the smallest difference the design detects; the primary metric is the
OOD-average CER. A paired bootstrap over utterances alone (seeds left out) is shown for reference. Routing: raw top-1 agreement, agreement after the best expert
matching (label-free), NMI (adjacent layer pairs and all pairs) and usage entropy / ln E; the mutual information
between the evaluation set (domain) and the top-1 expert per layer (submit/domain_routing.py). Decoding RTF per mode.
"""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import domain_routing  # noqa: E402  (submit/domain_routing.py, beside this script)
import training_curves  # noqa: E402  (submit/training_curves.py, beside this script)

CURVE_WINDOW = 100  # training losses are averaged over windows of this many steps
FAMILIES = [("tiny", ["tiny_dense", "tiny_switch", "tiny_omni", "tinywide_dense"]),
            ("papertiny", ["papertiny_dense", "papertiny_switch", "papertiny_omni"])]
IN_DOMAIN = "indomain"


def load(path):
    with open(path) as f:
        return json.load(f)


def utterance_errors(mode_dir):
    """{utterance: (word errors, words, char errors, chars)} of one decoding mode, as the Java scorer counted them
    (eval writes <mode>/utterances.tsv; for runs made before it did, `omnispark score` writes it from the trn
    files once). The alignment is never re-implemented here."""
    counts = os.path.join(mode_dir, "utterances.tsv")
    if not os.path.exists(counts):
        omnispark = os.path.join(os.path.dirname(os.path.abspath(__file__)), "omnispark")
        subprocess.run([omnispark, "score", "--dir", mode_dir], check=True, stdout=subprocess.DEVNULL)
    out = {}
    with open(counts, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        for line in f:
            v = line.rstrip("\n").split("\t")
            out[v[0]] = (int(v[col["word_errors"]]), int(v[col["words"]]), int(v[col["char_errors"]]),
                         int(v[col["chars"]]))
    return out


def mean_std(values):
    if not values:
        return None, None
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def fmt(ms, scale=100, digits=1):
    m, s = ms
    return "-" if m is None else "%.*f ± %.*f" % (digits, m * scale, digits, s * scale)


def primary_mode(report):
    return "attention_rescoring" if "attention_rescoring" in report["modes"] else "ctc_greedy"


def bootstrap(a, b, keys, resamples, seed=1):
    """a, b: {(set, utt): [err, n, cerr, cn]} summed over seeds; returns per metric (diff, lo, hi, flip share)."""
    rng = random.Random(seed)
    out = {}
    for metric, (e, n) in (("wer", (0, 1)), ("cer", (2, 3))):
        def diff(sample):
            ea = sum(a[k][e] for k in sample)
            eb = sum(b[k][e] for k in sample)
            words = sum(a[k][n] for k in sample)
            return (ea - eb) / words if words else 0.0
        observed = diff(keys)
        diffs = sorted(diff([keys[rng.randrange(len(keys))] for _ in keys]) for _ in range(resamples))
        lo, hi = diffs[int(0.025 * resamples)], diffs[int(0.975 * resamples) - 1]
        flips = sum(1 for d in diffs if (d > 0) != (observed > 0) or d == 0) / resamples
        out[metric] = {"difference": observed, "ci95": [lo, hi], "sign_flip_share": flips,
                       "significant": not (lo <= 0 <= hi)}
    return out


# Student t quantiles: 0.975 (two-sided 95 %) and 0.80 (power 0.8), by degrees of freedom (standard tables).
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}
T80 = {1: 1.376, 2: 1.061, 3: 0.978, 4: 0.941, 5: 0.920, 6: 0.906, 7: 0.896, 8: 0.889, 9: 0.883, 10: 0.879,
       12: 0.873, 15: 0.866, 20: 0.860, 30: 0.854}


def t_quantile(table, df):
    """The table's value for df, or for the largest listed df below it (conservative)."""
    return table[max(k for k in table if k <= df)]


def seed_t_interval(diffs):
    """Paired by seed: the mean of the per-seed differences, its 95 % t-interval, how many seeds agree in sign with
    the mean, and the smallest true difference this many seeds detect with power 0.8 at alpha 0.05 (two-sided) given
    the observed spread: (t_0.975 + t_0.80) * sd / sqrt(n)."""
    n = len(diffs)
    if n < 2:
        return None
    mean = statistics.mean(diffs)
    sd = statistics.stdev(diffs)
    se = sd / n ** 0.5
    t = t_quantile(T975, n - 1)
    return {"mean": mean, "sd": sd, "ci95": [mean - t * se, mean + t * se], "n": n,
            "agree": sum(1 for d in diffs if (d > 0) == (mean > 0) and d != 0),
            "detectable": (t + t_quantile(T80, n - 1)) * se}


def hierarchical_bootstrap(per_seed, resamples, seed=1):
    """Two levels: seeds with replacement, then, within each drawn seed, sentences with replacement (a sentence
    brings its utterances of every out-of-domain set: they are the same words). per_seed: {seed: {sentence:
    (errors A - errors B, reference units)}}. Returns the observed difference (mean over seeds of each seed's pooled
    rate difference), the 95 % percentile interval and the two-sided bootstrap p-value."""
    rng = random.Random(seed)
    seeds = sorted(per_seed)
    sentences = {sd: sorted(per_seed[sd]) for sd in seeds}

    def rate(sd, keys):
        d = sum(per_seed[sd][k][0] for k in keys)
        n = sum(per_seed[sd][k][1] for k in keys)
        return d / n if n else 0.0
    observed = statistics.mean(rate(sd, sentences[sd]) for sd in seeds)
    reps = []
    for _ in range(resamples):
        drawn = [seeds[rng.randrange(len(seeds))] for _ in seeds]
        reps.append(statistics.mean(rate(sd, [sentences[sd][rng.randrange(len(sentences[sd]))]
                                              for _ in sentences[sd]]) for sd in drawn))
    reps.sort()
    lo, hi = reps[int(0.025 * resamples)], reps[int(0.975 * resamples) - 1]
    below = sum(1 for r in reps if r <= 0) / resamples
    above = sum(1 for r in reps if r >= 0) / resamples
    return {"difference": observed, "ci95": [lo, hi], "p": min(1.0, 2 * min(below, above))}


def ordering(family, ood_means, comparisons, metric):
    """Whether the paper's ordering holds for a family, by OOD mean WER or CER, and which steps the bootstrap
    supports."""
    names = [family + "_" + k for k in ("omni", "switch", "dense")]
    if not all(n in ood_means and ood_means[n]["ood_" + metric][0] is not None for n in names):
        return None
    wer = {n: ood_means[n]["ood_" + metric][0] for n in names}
    observed = sorted(names, key=lambda n: wer[n])
    steps = []
    for a, b in ((names[0], names[1]), (names[1], names[2]), (names[0], names[2])):
        c = next((c for c in comparisons if c["a"] == a and c["b"] == b), None)
        if c is not None:
            level = c.get("seed_level", {}).get(metric)
            beyond = level["significant"] if level else c[metric]["significant"]
            steps.append("%s %s %s (%s)" % (a.split("_")[-1], "<" if c[metric]["difference"] < 0 else ">=",
                                            b.split("_")[-1], "beyond the noise of seeds and sentences" if beyond
                                            else "within the noise"))
    held = observed == names
    text = ("reproduced" if held else "not reproduced") + ": observed " + " < ".join(
        "%s %.1f" % (n.split("_")[-1], 100 * wer[n]) for n in observed) + "; " + ", ".join(steps)
    return {"reproduced": held, "observed": observed, "text": text}


def seed_level(runs, a, b, seeds, ood, resamples):
    """Per metric: the t-interval over per-seed OOD-average differences and the hierarchical bootstrap; significant
    when both 95 % intervals exclude 0."""
    out = {}
    for metric, (e, n) in (("wer", (0, 1)), ("cer", (2, 3))):
        diffs = [statistics.mean(runs[a][sd][s][0][metric] for s in ood)
                 - statistics.mean(runs[b][sd][s][0][metric] for s in ood) for sd in seeds]
        per_seed = {}
        for sd in seeds:
            acc = {}
            for s in ood:
                ua, ub = runs[a][sd][s][2], runs[b][sd][s][2]
                for k in set(ua) & set(ub):
                    cur = acc.setdefault(k, [0, 0])
                    cur[0] += ua[k][e] - ub[k][e]
                    cur[1] += ua[k][n]
            per_seed[sd] = acc
        t = seed_t_interval(diffs)
        h = hierarchical_bootstrap(per_seed, resamples)
        out[metric] = {"per_seed": diffs, "t": t, "hierarchical": h,
                       "significant": bool(t) and not (t["ci95"][0] <= 0 <= t["ci95"][1])
                       and not (h["ci95"][0] <= 0 <= h["ci95"][1])}
    return out


def curves_section(out, seeds, results):
    """Per family: the training losses (CTC, attention, auxiliary: window means of CURVE_WINDOW steps, averaged over
    the seeds) and the validation CER by step, as a table (the last window every seed reached, mean ± std over seeds)
    and as SVG charts in OUT/plots/<family>_<curve>.svg; results["curves"][model] holds the numbers."""
    lines = []
    for family, models in FAMILIES:
        runs = {}
        for model in models:
            rows = [training_curves.read_metrics(os.path.join(out, "exp", "%s_s%s" % (model, sd), "metrics.jsonl"))
                    for sd in seeds]
            rows = [r for r in rows if r]
            if rows:
                runs[model] = rows
        if not runs:
            continue
        lines += ["## %s: training curves" % family, "",
                  "Training losses averaged over windows of %d steps, then over the seeds; the table gives the last "
                  "window every seed reached (mean ± std over seeds). Validation CER (CTC greedy on the validation "
                  "set, mean over seeds) where the runs validated." % CURVE_WINDOW, ""]
        charts = []
        table = {}
        valid_steps = None
        for key, label in (("ctc", "CTC loss"), ("att", "attention loss"), ("moe_aux", "auxiliary loss"),
                           ("valid_cer", "validation CER")):
            curves = {}
            for model, rows in runs.items():
                per_seed = [training_curves.series(r, key) for r in rows]
                if key != "valid_cer":
                    per_seed = [training_curves.window_means(c, CURVE_WINDOW) for c in per_seed]
                per_seed = [c for c in per_seed if c]
                if not per_seed:
                    continue
                curves[model] = training_curves.mean_curve(per_seed)
                entry = table.setdefault(model, {"seeds": len(rows)})
                if key == "valid_cer":
                    steps = set(x for x, _ in curves[model])
                    valid_steps = steps if valid_steps is None else valid_steps & steps
                    entry[key] = dict(curves[model])
                elif curves[model]:
                    last = curves[model][-1][0]
                    entry["window_end"] = last
                    entry[key] = mean_std([dict(c)[last] for c in per_seed])
            if curves:
                path = training_curves.line_chart(os.path.join(out, "plots", "%s_%s.svg" % (family, key)),
                                                  curves, label, title="%s: %s" % (family, label))
                charts.append("![%s %s](plots/%s)" % (family, label, os.path.basename(path)))
        valid_steps = sorted(valid_steps or [])
        parts = [k for k in ("ctc", "att", "moe_aux") if any(k in e for e in table.values())]
        lines += ["| model | seeds | window end | " + " | ".join(parts)
                  + "".join(" | valid CER @%d" % v for v in valid_steps) + " |",
                  "|---" * (3 + len(parts) + len(valid_steps)) + "|"]
        for model, e in table.items():
            lines.append("| %s | %d | %s | %s%s |" % (
                model, e["seeds"], e.get("window_end", "-"),
                " | ".join("%.3f ± %.3f" % e[k] if k in e and e[k][1] is not None else
                           ("%.3f" % e[k][0] if k in e else "-") for k in parts),
                "".join(" | %.1f" % (100 * e["valid_cer"][v]) for v in valid_steps)))
            results.setdefault("curves", {})[model] = {
                "seeds": e["seeds"], "window_end": e.get("window_end"),
                **{k: list(e[k]) for k in parts if k in e},
                "valid_cer": {str(v): e["valid_cer"][v] for v in valid_steps}}
        lines += ["", " ".join(charts), ""]
    return lines


def main(out, resamples):
    recipe = load(os.path.join(out, "recipe.json"))
    sets = recipe["sets"].split()
    trained_domains = recipe.get("train_mix", "").split()  # experiment.sh --train-mix: in-domain too
    ood = [s for s in sets if s != IN_DOMAIN and s not in trained_domains]
    seeds = recipe["seeds"].split()
    runs = {}  # model -> seed -> set -> (primary mode result, utterance errors)
    trained, evaluated = set(), set()  # the "created_by" of model.json and of the eval reports
    for _, models in FAMILIES:
        for model in models:
            for seed in seeds:
                run = os.path.join(out, "exp", "%s_s%s" % (model, seed))
                if os.path.exists(os.path.join(run, "model.json")):
                    trained.add(load(os.path.join(run, "model.json")).get("created_by", "?"))
                for s in sets:
                    rep_path = os.path.join(run, "eval", s, "report.json")
                    if not os.path.exists(rep_path):
                        continue
                    rep = load(rep_path)
                    evaluated.add(rep.get("created_by", "?"))
                    mode = primary_mode(rep)
                    utt = utterance_errors(os.path.join(run, "eval", s, mode))
                    words = sum(u[1] for u in utt.values())
                    werrs = sum(u[0] for u in utt.values())
                    if words != rep["modes"][mode]["words"]["reference"] or \
                            werrs != rep["modes"][mode]["words"]["errors"]:
                        print("note: %s %s: recomputed %d/%d word errors, report says %d/%d" % (
                            run, s, werrs, words, rep["modes"][mode]["words"]["errors"],
                            rep["modes"][mode]["words"]["reference"]), file=sys.stderr)
                    runs.setdefault(model, {}).setdefault(seed, {})[s] = (rep["modes"][mode], mode, utt)
    results = {"recipe": recipe, "trained_by": sorted(trained), "evaluated_by": sorted(evaluated), "models": {},
               "comparisons": [], "routing": {}, "rtf": {}}
    lines = ["# Issue 11: dense vs Switch vs Omni-router over seeds and domains", "",
             "Recipe: `submit/experiment.sh` at commit %s: %d training utterances, %d per evaluation set, %d steps, "
             "seeds %s. Regenerate with `/usr/bin/python3 submit/experiment_report.py OUT`." % (
                 recipe["commit"], recipe["utterances"], recipe["heldout"], recipe["steps"], recipe["seeds"]),
             "Trained by: %s. Evaluated by: %s." % ("; ".join(sorted(trained)) or "-",
                                                   "; ".join(sorted(evaluated)) or "-"), ""]
    if trained_domains:
        lines[-1:-1] = ["Training data: a labelled mix of espeak-ng and %s in equal parts (`--train-mix`); the OOD "
                        "average below is over the held-out domains only: %s." % (
                            ", ".join(trained_domains), ", ".join(ood))]
    for family, models in FAMILIES:
        present = [m for m in models if m in runs]
        if not present:
            continue
        lines += ["## %s: WER %% (mean ± std over seeds), primary mode, full context" % family, "",
                  "| model | seeds | mode | " + " | ".join(sets) + " | OOD average | vs dense | vs switch |",
                  "|---" * (len(sets) + 6) + "|"]
        ood_means = {}
        for model in present:
            per_seed = runs[model]
            complete = [sd for sd in per_seed if all(s in per_seed[sd] for s in sets)]
            row = {"seeds": complete, "sets": {}}
            for s in sets:
                row["sets"][s] = {"wer": mean_std([per_seed[sd][s][0]["wer"] for sd in complete]),
                                  "cer": mean_std([per_seed[sd][s][0]["cer"] for sd in complete])}
            for metric in ("wer", "cer"):
                row["ood_" + metric] = mean_std([statistics.mean(per_seed[sd][s][0][metric] for s in ood)
                                                 for sd in complete])
            ood_means[model] = row
            results["models"][model] = row
        for metric in ("wer", "cer"):
            if metric == "cer":
                lines += ["", "CER %:", "", "| model | seeds | mode | " + " | ".join(sets)
                          + " | OOD average | vs dense | vs switch |", "|---" * (len(sets) + 6) + "|"]
            dense = ood_means.get(family + "_dense", {}).get("ood_" + metric, (None, None))[0]
            switch = ood_means.get(family + "_switch", {}).get("ood_" + metric, (None, None))[0]
            for model in present:
                row = ood_means[model]
                mode = next(iter(runs[model][row["seeds"][0]].values()))[1] if row["seeds"] else "-"
                m = row["ood_" + metric][0]

                def rel(ref, applies):
                    return "%+.1f%%" % (100 * (m - ref) / ref) if applies and ref and m is not None else "-"
                lines.append("| %s | %d | %s | %s | %s | %s | %s |" % (
                    model, len(row["seeds"]), mode, " | ".join(fmt(row["sets"][s][metric]) for s in sets),
                    fmt(row["ood_" + metric]), rel(dense, model != family + "_dense"),
                    rel(switch, model == family + "_omni")))
        # paired bootstrap over OOD utterances, errors summed over the seeds both models finished
        pairs = [(a, b) for a, b in ((family + "_switch", family + "_dense"), (family + "_omni", family + "_dense"),
                                     (family + "_omni", family + "_switch"), ("tiny_switch", "tinywide_dense"),
                                     ("tiny_omni", "tinywide_dense")) if a in present and b in present]
        if pairs:
            lines += ["", "Paired bootstrap over utterances only (%d resamples of the out-of-domain utterances, errors "
                      "summed over the seeds both models finished; difference = A - B in points, negative = A "
                      "better). It leaves the seed-to-seed variation out, so it is shown for reference, not for the "
                      "verdicts:" % resamples,
                      "", "| A | B | seeds | WER diff | 95% interval | sign flips | CER diff | 95% interval | "
                      "sign flips | interval excludes 0 |", "|---|---|---|---|---|---|---|---|---|---|"]
        for a, b in pairs:
            common = [sd for sd in seeds if sd in runs[a] and sd in runs[b]
                      and all(s in runs[a][sd] and s in runs[b][sd] for s in ood)]
            if not common:
                continue
            summed = {}
            for model, target in ((a, "a"), (b, "b")):
                acc = {}
                for sd in common:
                    for s in ood:
                        for k, v in runs[model][sd][s][2].items():
                            cur = acc.setdefault((s, k), [0, 0, 0, 0])
                            for i in range(4):
                                cur[i] += v[i]
                summed[target] = acc
            keys = sorted(set(summed["a"]) & set(summed["b"]))
            res = bootstrap(summed["a"], summed["b"], keys, resamples)
            res.update({"a": a, "b": b, "seeds": common, "utterances": len(keys)})
            res["seed_level"] = seed_level(runs, a, b, common, ood, resamples)
            results["comparisons"].append(res)
            w, c = res["wer"], res["cer"]
            verdict = ", ".join(x for x, r in (("WER", w), ("CER", c)) if r["significant"]) or "no"
            lines.append("| %s | %s | %d | %+.2f | [%+.2f, %+.2f] | %.3f | %+.2f | [%+.2f, %+.2f] | %.3f | %s |" % (
                a, b, len(common), 100 * w["difference"], 100 * w["ci95"][0], 100 * w["ci95"][1],
                w["sign_flip_share"], 100 * c["difference"], 100 * c["ci95"][0], 100 * c["ci95"][1],
                c["sign_flip_share"], verdict))
        seed_rows = [c for c in results["comparisons"] if (c["a"], c["b"]) in pairs and c.get("seed_level")]
        if seed_rows:
            lines += ["", "Seed-level statistics (the verdicts): differences paired by seed (OOD average, A - B in "
                      "points, negative = A better); a t-interval over the seeds; a hierarchical bootstrap (%d "
                      "resamples: seeds, then sentences within each seed, a sentence bringing its utterances of every "
                      "out-of-domain set); the smallest difference this design detects (power 0.8, alpha 0.05). "
                      "\"Beyond the noise\" needs both intervals to exclude 0." % resamples, "",
                      "| A | B | metric | seeds | mean diff | t 95% interval | seeds agreeing | hierarchical 95% "
                      "interval | p | detectable | beyond the noise? |", "|---|---|---|---|---|---|---|---|---|---|---|"]
            for c in seed_rows:
                for metric in ("cer", "wer"):
                    lv = c["seed_level"][metric]
                    t, h = lv["t"], lv["hierarchical"]
                    lines.append("| %s | %s | %s%s | %d | %+.2f | [%+.2f, %+.2f] | %d of %d | [%+.2f, %+.2f] | %.3f | "
                                 "%.2f | %s |" % (c["a"], c["b"], metric.upper(), " (primary)" if metric == "cer"
                                                  else "", t["n"], 100 * t["mean"], 100 * t["ci95"][0],
                                                  100 * t["ci95"][1], t["agree"], t["n"], 100 * h["ci95"][0],
                                                  100 * h["ci95"][1], h["p"], 100 * t["detectable"],
                                                  "yes" if lv["significant"] else "no"))
        for metric in ("wer", "cer"):
            verdict = ordering(family, ood_means, results["comparisons"], metric)
            if verdict:
                results.setdefault("ordering", {}).setdefault(family, {})[metric] = verdict
                lines += ["", "**The Omni-router paper's ordering (Omni < Switch < dense, OOD average %s): %s**"
                          % (metric.upper(), verdict["text"])]
        lines.append("")
    lines += curves_section(out, seeds, results)
    # routing, label-free next to raw
    lines += ["## Routing on the in-domain set (mean ± std over seeds)", "",
              "Adjacent = MoE layer pairs (l, l+1); all = every pair i < j. Matched agreement relabels one layer's "
              "experts by the one-to-one pairing that maximizes agreement (Hungarian algorithm), so it compares Switch "
              "(a router per layer, arbitrary labels) with the Omni-router (one router, shared labels).", "",
              "| model | raw agreement adjacent | matched agreement adjacent | NMI adjacent | raw agreement all | "
              "matched agreement all | NMI all | usage entropy / ln E |", "|---|---|---|---|---|---|---|---|"]
    plots = os.path.join(out, "plots")
    os.makedirs(plots, exist_ok=True)
    for family, models in FAMILIES:
        for model in models:
            stats = {k: [] for k in ("raw_adj", "match_adj", "nmi_adj", "raw_all", "match_all", "nmi_all", "ent")}
            for sd in seeds:
                path = os.path.join(out, "exp", "%s_s%s" % (model, sd), "eval", IN_DOMAIN, "routing.json")
                if not os.path.exists(path):
                    continue
                r = load(path)
                L = r["layers"]
                adj = [(i, i + 1) for i in range(L - 1)]
                allp = [(i, j) for i in range(L) for j in range(i + 1, L)]
                for name, key in (("raw", "agreement"), ("match", "matched_agreement"), ("nmi", "nmi")):
                    if key not in r:  # routing.json written before matched_agreement existed (eval writes it now)
                        continue
                    stats[name + "_adj"].append(statistics.mean(r[key][i][j] for i, j in adj))
                    stats[name + "_all"].append(statistics.mean(r[key][i][j] for i, j in allp))
                stats["ent"].append(statistics.mean(r["entropy"]) / r["max_entropy"])
                if sd == seeds[0]:
                    for plot in ("agreement", "matched_agreement", "nmi", "usage"):
                        src = os.path.join(os.path.dirname(path), plot + ".png")
                        if os.path.exists(src):
                            shutil.copyfile(src, os.path.join(plots, "%s_%s.png" % (model, plot)))
            if not stats["raw_adj"]:
                continue
            results["routing"][model] = {k: mean_std(v) for k, v in stats.items()}
            lines.append("| %s (%d seeds) | %s |" % (model, len(stats["raw_adj"]), " | ".join(
                fmt(mean_std(stats[k]), 1, 3) for k in
                ("raw_adj", "match_adj", "nmi_adj", "raw_all", "match_all", "nmi_all", "ent"))))
    moe = [m for _, models in FAMILIES for m in models if m.endswith(("_switch", "_omni"))]
    domain_lines, results["domain_routing"] = domain_routing.section(out, seeds, sets, moe, seed_t_interval)
    lines += [""] + domain_lines if domain_lines else []
    lines += ["", "Plots of the first seed, Switch left, Omni-router right:", "", "| | Switch | Omni-router |",
              "|---|---|---|"]
    for family, _ in FAMILIES:
        for plot in ("agreement", "matched_agreement", "nmi", "usage"):
            cells = []
            for kind in ("switch", "omni"):
                name = "%s_%s_%s.png" % (family, kind, plot)
                cells.append("![%s](plots/%s)" % (name, name) if os.path.exists(os.path.join(plots, name)) else "-")
            lines.append("| %s %s | %s |" % (family, plot, " | ".join(cells)))
    # decoding cost
    lines += ["", "## Decoding real-time factor per mode (first seed, in-domain set after a warm-up set, one decode "
              "at a time)", "",
              "| model | mode | context | RTF | x dense | CER % | WER % |", "|---|---|---|---|---|---|---|"]
    seed = seeds[0]
    for family, models in FAMILIES:
        dense_rtf = {}
        for model in models:
            for ctx in ("full", "chunk16"):
                path = os.path.join(out, "exp", "%s_s%s" % (model, seed), "rtf", ctx, IN_DOMAIN, "report.json")
                if not os.path.exists(path):
                    continue
                for mode, r in load(path)["modes"].items():
                    results["rtf"].setdefault(model, {})["%s/%s" % (ctx, mode)] = r["rtf"]
                    if model == family + "_dense":
                        dense_rtf[(ctx, mode)] = r["rtf"]
                    ratio = r["rtf"] / dense_rtf[(ctx, mode)] if (ctx, mode) in dense_rtf else None
                    lines.append("| %s | %s | %s | %.4f | %s | %.1f | %.1f |" % (
                        model, mode, r["context"], r["rtf"], "-" if ratio is None else "%.2f" % ratio,
                        100 * r["cer"], 100 * r["wer"]))
    lines += ["", "## Commands", "", "Every row: `submit/experiment.sh --out OUT --utterances %d --steps %d --seeds "
              "\"%s\"%s` at commit %s, which runs for model M and seed S:" % (
                  recipe["utterances"], recipe["steps"], recipe["seeds"],
                  " --train-mix \"%s\"" % " ".join(trained_domains) if trained_domains else "", recipe["commit"]),
              "", "```bash",
              "submit/omnispark train --data OUT/data/train --out OUT/exp/M_sS --conf conf/train/tiny.yaml \\",
              "    --model conf/model/M.yaml train.seed=S train.max_steps=%d train.max_epochs=1000 "
              "train.valid_interval=%d train.log_interval=20 train.checkpoint.interval=100%s" % (
                  recipe["steps"], recipe.get("valid_interval", 0),
                  " --valid OUT/data/valid" if recipe.get("valid_interval", 0) else ""),
              "submit/omnispark eval --model OUT/exp/M_sS --data OUT/data/SET ... --out OUT/exp/M_sS/eval "
              "--mode ctc_greedy[,attention_rescoring]",
              "/usr/bin/python3 submit/experiment_report.py OUT", "```"]
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    args = sys.argv[1:]
    n = 2000
    if "--bootstrap" in args:
        i = args.index("--bootstrap")
        n = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        raise SystemExit(__doc__)
    main(args[0], n)
