"""Training curves from a run's metrics.jsonl (one JSON object per logged step: "step", "loss" and its parts "ctc",
"att", "aux"; validation rows carry "valid_loss", "valid_cer", "valid_wer"), and a dependency-free SVG line chart.
Imported by submit/demo_report.py and submit/experiment_report.py. Standard library only.
"""
import json
import os
import statistics

PALETTE = ["#444444", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def read_metrics(path):
    """The rows of a metrics.jsonl, or [] when the file is absent."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def series(rows, key):
    """[(step, value)] of every row that has `key`, in step order; a resumed run's repeated steps keep the last."""
    by_step = {}
    for r in rows:
        if key in r and "step" in r and r[key] is not None:
            by_step[r["step"]] = r[key]
    return sorted(by_step.items())


def window_means(points, width):
    """The mean of the values in each window of `width` steps: [(w, mean of values with step in (w - width, w])],
    w = width, 2 width, ...; empty windows are left out."""
    windows = {}
    for step, value in points:
        end = -(-step // width) * width
        windows.setdefault(end, []).append(value)
    return [(end, statistics.mean(v)) for end, v in sorted(windows.items())]


def mean_curve(curves):
    """The pointwise mean of several curves over the x values they all have (e.g. one model's seeds)."""
    if not curves:
        return []
    common = set(x for x, _ in curves[0])
    for c in curves[1:]:
        common &= set(x for x, _ in c)
    maps = [dict(c) for c in curves]
    return [(x, statistics.mean(m[x] for m in maps)) for x in sorted(common)]


def line_chart(path, curves, ylabel, colors=None, title=None):
    """Writes an SVG chart of {label: [(x, y)]} to `path` (its folder is created); returns the path, or None when
    there is nothing to draw."""
    w, h, pad = 720, 360, 55
    points = [p for c in curves.values() for p in c]
    if not points:
        return None
    max_x = max(x for x, _ in points)
    lo = min(0.0, min(y for _, y in points))
    hi = max(y for _, y in points)
    hi = hi if hi > lo else lo + 1

    def px(v):
        return pad + (w - 2 * pad) * v / max(1, max_x)

    def py(v):
        return h - pad - (h - 2 * pad) * (v - lo) / (hi - lo)

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
             'font-size="12">' % (w, h), '<rect width="100%" height="100%" fill="white"/>',
             '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, h - pad, w - pad, h - pad),
             '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, pad, pad, h - pad),
             '<text x="%d" y="%d">step</text>' % (w // 2, h - 15),
             '<text x="12" y="%d" transform="rotate(-90 12,%d)">%s</text>' % (h // 2, h // 2, ylabel)]
    if title:
        parts.append('<text x="%d" y="20">%s</text>' % (pad, title))
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        parts.append('<text x="22" y="%.0f">%.3g</text>' % (py(v) + 4, v))
        s = max_x * i / 4
        parts.append('<text x="%.0f" y="%d">%.0f</text>' % (px(s) - 10, h - pad + 15, s))
    for k, (label, c) in enumerate(curves.items()):
        color = (colors or {}).get(label, PALETTE[k % len(PALETTE)])
        path_points = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in c)
        parts.append('<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>' % (color, path_points))
        parts.append('<text x="%d" y="%d" fill="%s">%s</text>' % (w - pad - 140, pad + 15 * k, color, label))
    parts.append("</svg>")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(parts))
    return path
