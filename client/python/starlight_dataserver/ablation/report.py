"""The ablation's report: figures per arm and paired differences to base, as
JSON, a Markdown table and a PNG plot."""

import json
import math
import os
from typing import Dict, List, Sequence

import numpy as np

from ..batch import KIND_CLEAN, KIND_NEGATIVE, KIND_STEGO, METHODS
from .metrics import Scores, metric_masks, paired_difference, summarize


def build(config: dict, results: Dict[str, List[dict]], *, bootstrap: int, seed: int = 12345) -> dict:
    """The report of finished runs: results[arm] is the list of per-seed
    results (train() output). Every run is scored on the same samples; the
    figures are pooled over seeds."""
    rng = np.random.default_rng(seed)
    arms = [a for a in results if results[a]]
    first = Scores.from_dict(results[arms[0]][0]["scores"])
    order = sorted(first.keys)
    runs = {a: [Scores.from_dict(r["scores"]).aligned(order) for r in results[a]] for a in arms}
    names = metric_masks(runs[arms[0]][0], KIND_CLEAN, KIND_STEGO, KIND_NEGATIVE, METHODS)
    out = {"config": config, "arms": {}, "eval": {
        "samples": len(order),
        "by_kind": {k: int((runs[arms[0]][0].kinds == c).sum())
                    for k, c in (("clean", KIND_CLEAN), ("stego", KIND_STEGO), ("negative", KIND_NEGATIVE))},
        "coverage": [dict(r["coverage"], arm=a, seed=r["seed"]) for a in arms for r in results[a]],
    }}
    for a in arms:
        rs = results[a]
        entry = {"seeds": [r["seed"] for r in rs], "steps": [r["steps"] for r in rs],
                 "samples": [r["samples"] for r in rs], "seconds": [round(r["seconds"], 2) for r in rs],
                 "final_loss": [r["final_loss"] for r in rs],
                 "metrics": summarize(runs[a], names, bootstrap, rng)}
        if a != "base" and "base" in runs:
            entry["vs_base"] = paired_difference(runs[a], runs["base"], names, bootstrap, rng)
        out["arms"][a] = entry
    return out


def _fmt(v: float, pct: bool = True) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{100 * v:.1f}" if pct else f"{v:.3f}"


def _cell(m: dict, pct: bool) -> str:
    s = f"{_fmt(m['value'], pct)} [{_fmt(m['lo'], pct)}, {_fmt(m['hi'], pct)}]"
    if "k" in m:
        s += f" ({m['k']}/{m['n']})"
    return s


def _diff(m: dict, pct: bool) -> str:
    v = m["value"]
    if v is None or math.isnan(v):
        return "n/a"
    sign = "+" if v >= 0 else ""
    return f"{sign}{_fmt(v, pct)} [{_fmt(m['lo'], pct)}, {_fmt(m['hi'], pct)}]"


def markdown(rep: dict) -> str:
    """The report as a Markdown table: one row per metric, per arm its value
    with the 95 % interval, and for every arm but base the paired difference."""
    arms = list(rep["arms"])
    metrics = list(rep["arms"][arms[0]]["metrics"])
    head = ["metric"]
    for a in arms:
        head.append(a)
        if "vs_base" in rep["arms"][a]:
            head.append(f"{a} - base")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in metrics:
        pct = name != "auc"
        row = [name + (" (%)" if pct else "")]
        for a in arms:
            e = rep["arms"][a]
            row.append(_cell(e["metrics"][name], pct))
            if "vs_base" in e:
                row.append(_diff(e["vs_base"][name], pct))
        lines.append("| " + " | ".join(row) + " |")
    c = rep["config"]
    ev = rep["eval"]
    lines += ["", f"Rates in % with 95 % Wilson intervals pooled over seeds {list(c['seeds'])} "
              f"(k/n: samples called stego / samples); AUC mean over seeds, interval by bootstrap over "
              f"val samples; differences: mean over seeds of the paired difference, interval by a "
              f"bootstrap over seeds and val samples. {c['steps']} steps of batch {c['batch_size']} per "
              f"arm and seed; scored on {ev['samples']} samples of split {c['eval_split']!r} "
              f"({ev['by_kind']['clean']} clean, {ev['by_kind']['stego']} stego, {ev['by_kind']['negative']} negatives)."]
    return "\n".join(lines) + "\n"


def plot(rep: dict, path: str) -> None:
    """Writes a PNG: false-positive rates (clean, negatives, per category)
    and detection rates (per technique) per arm, with their intervals."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    arms = list(rep["arms"])
    metrics = rep["arms"][arms[0]]["metrics"]
    panels = [("false-positive rate", [m for m in metrics if m.startswith("fpr")]),
              ("detection rate", [m for m in metrics if m.startswith("detection")])]
    fig, axes = plt.subplots(1, 2, figsize=(14, 5), gridspec_kw={"width_ratios": [1.3, 1]})
    width = 0.8 / max(1, len(arms))
    for ax, (title, names) in zip(axes, panels):
        x = np.arange(len(names))
        for i, a in enumerate(arms):
            ms = rep["arms"][a]["metrics"]
            v = np.array([ms[n]["value"] for n in names], dtype=float)
            lo = np.array([ms[n]["lo"] for n in names], dtype=float)
            hi = np.array([ms[n]["hi"] for n in names], dtype=float)
            # Clipped at 0: a Wilson bound equals the rate up to rounding at 0 and 1.
            err = np.clip(np.nan_to_num(np.vstack([v - lo, hi - v])), 0, None)
            ax.bar(x + (i - (len(arms) - 1) / 2) * width, 100 * np.nan_to_num(v), width, yerr=100 * err,
                   capsize=3, label=a)
        ax.set_xticks(x)
        ax.set_xticklabels([n.replace("fpr_", "").replace("detection/", "").replace("detection", "all stego")
                            for n in names], rotation=30, ha="right")
        ax.set_ylabel(f"{title} (%)")
        ax.set_title(f"{title} on {rep['config']['eval_split']} (95 % intervals)")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _finite(v):
    """v with every NaN float replaced by None (JSON has no NaN)."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def write(rep: dict, out_dir: str) -> Dict[str, str]:
    """Writes report.json, report.md and report.png into out_dir; returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = {k: os.path.join(out_dir, f"report.{k}") for k in ("json", "md", "png")}
    with open(paths["json"], "w") as f:
        json.dump(_finite(rep), f, indent=1)
    with open(paths["md"], "w") as f:
        f.write(markdown(rep))
    plot(rep, paths["png"])
    return paths
