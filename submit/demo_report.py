#!/usr/bin/python3
"""The demo's comparison: reads OUT/exp/<scale>_<model>/eval/<set>/report.json for the dense, Switch and Omni-router
models and prints one WER/CER table (models x sets, the best decoding mode of each cell, the average over the
out-of-domain sets, each MoE model's relative change vs dense), written also as OUT/results.md and OUT/results.json;
draws the three training-loss curves on one chart (OUT/plots/loss.svg) and puts the routing plots of the two MoE
models side by side (expert usage per layer, cross-layer agreement, NMI).

Usage: /usr/bin/python3 submit/demo_report.py OUT [SCALE]   (SCALE: tiny, the default, or small)
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import training_curves  # noqa: E402  (submit/training_curves.py, beside this script)

MODELS = ["dense", "switch", "omni"]
SETS = ["indomain", "unseen_voices", "flite", "noise5db", "fast", "slow"]
OOD = SETS[1:]
COLORS = {"dense": "#444444", "switch": "#1f77b4", "omni": "#d62728"}


def best(report):
    modes = report["modes"]
    name = min(modes, key=lambda m: (modes[m]["wer"], modes[m]["cer"]))
    return name, modes[name]


def main(out, scale="tiny"):
    results = {}
    for m in MODELS:
        for s in SETS:
            path = os.path.join(out, "exp", scale + "_" + m, "eval", s, "report.json")
            if os.path.exists(path):
                with open(path) as f:
                    mode, r = best(json.load(f))
                results.setdefault(m, {})[s] = {"mode": mode, "wer": r["wer"], "cer": r["cer"],
                                                "context": r.get("context"), "utterances": r["utterances"]}
    for m in results:
        ood = [results[m][s]["wer"] for s in OOD if s in results[m]]
        results[m]["ood_average"] = {"wer": sum(ood) / len(ood) if ood else None,
                                     "cer": sum(results[m][s]["cer"] for s in OOD if s in results[m]) / max(1, len(ood))}
    dense = results.get("dense", {}).get("ood_average", {}).get("wer")
    for m in results:
        if dense and m != "dense" and results[m]["ood_average"]["wer"] is not None:
            results[m]["ood_relative_change_vs_dense"] = (results[m]["ood_average"]["wer"] - dense) / dense
    commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short",
                             "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
    header = "| model | " + " | ".join(SETS) + " | OOD average | vs dense (OOD) |"
    lines = ["# Demo results", "",
             "WER %% (CER %%) per set, best decoding mode of each cell; commit %s; models conf/model/%s_*.yaml, "
             "training conf/train/%s.yaml (see OUT/exp/*/model.json); OOD = every set but indomain."
             % (commit, scale, scale), "",
             header, "|" + "---|" * (len(SETS) + 3)]
    for m in MODELS:
        if m not in results:
            continue
        cells = []
        for s in SETS:
            c = results[m].get(s)
            cells.append("%.1f (%.1f)" % (100 * c["wer"], 100 * c["cer"]) if c else "-")
        avg = results[m]["ood_average"]
        rel = results[m].get("ood_relative_change_vs_dense")
        lines.append("| %s | %s | %.1f (%.1f) | %s |" % (m, " | ".join(cells), 100 * avg["wer"], 100 * avg["cer"],
                                                         "%+.1f%%" % (100 * rel) if rel is not None else "-"))
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    curves = {m: training_curves.series(training_curves.read_metrics(
        os.path.join(out, "exp", scale + "_" + m, "metrics.jsonl")), "loss") for m in MODELS}
    svg = training_curves.line_chart(os.path.join(out, "plots", "loss.svg"), {m: c for m, c in curves.items() if c},
                                     "training loss", COLORS)
    lines += ["", "Training loss: ![loss](plots/loss.svg)", "",
              "Routing on the in-domain set (Switch left, Omni-router right): expert usage per layer, agreement of "
              "layers' choices (raw, and after the best expert matching per layer pair), and the label-free normalized mutual "
              "information between layers.", "",
              "| | Switch | Omni-router |", "|---|---|---|"]
    for plot in ["usage.png", "agreement.png", "matched_agreement.png", "nmi.png"]:
        row = "| %s |" % plot[:-4]
        for m in ["switch", "omni"]:
            src = os.path.join(out, "exp", scale + "_" + m, "eval", "indomain", plot)
            if os.path.exists(src):
                dst = os.path.join(out, "plots", m + "_" + plot)
                shutil.copyfile(src, dst)
                row += " ![%s %s](plots/%s_%s) |" % (m, plot, m, plot)
            else:
                row += " - |"
        lines.append(row)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"commit": commit, "sets": SETS, "ood_sets": OOD, "results": results}, f, indent=1)
    print("\n".join(lines[4:4 + 2 + len(results)]))
    print("written: %s, %s, %s" % (os.path.join(out, "results.md"), os.path.join(out, "results.json"), svg))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "tiny")
