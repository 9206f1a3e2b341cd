"""The ablation: its statistics on known values, and a quick run over the
demo tree that checks the report's structure, the arms' equal step counts,
and that scoring covers each val sample exactly once."""

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from starlight_dataserver.ablation import metrics
from starlight_dataserver.ablation.metrics import Scores
from starlight_dataserver.ablation import report

from conftest import REPO, free_port, Server  # noqa: F401


def test_wilson_matches_known_values():
    lo, hi = metrics.wilson(5, 10)
    assert math.isclose(lo, 0.2366, abs_tol=1e-4) and math.isclose(hi, 0.7634, abs_tol=1e-4)
    lo, hi = metrics.wilson(0, 20)
    assert lo == 0.0 and math.isclose(hi, 0.1611, abs_tol=1e-4)
    assert all(math.isnan(v) for v in metrics.wilson(0, 0))


def test_auc_counts_ties_half():
    assert metrics.auc(np.array([0.9, 0.8, 0.3, 0.3]), np.array([1, 1, 0, 1])) == pytest.approx(2.5 / 3)
    assert metrics.auc(np.array([0.1, 0.2, 0.3]), np.array([0, 0, 1])) == 1.0
    assert metrics.auc(np.array([0.3, 0.2, 0.1]), np.array([0, 0, 1])) == 0.0
    assert math.isnan(metrics.auc(np.array([0.3]), np.array([1])))


def _scores(probs, kinds=(1, 2, 3, 3), cats=("", "", "a", "b")):
    keys = [f"id{i}:p{i}" for i in range(len(probs))]
    methods = [0 if k == 2 else -1 for k in kinds]
    labels = [1 if k == 2 else 0 for k in kinds]
    return Scores(keys, list(kinds), methods, list(cats), labels, list(probs))


def test_report_of_known_scores():
    base = [_scores([0.1, 0.9, 0.8, 0.7]), _scores([0.2, 0.8, 0.9, 0.1])]
    neg = [_scores([0.1, 0.9, 0.1, 0.2]), _scores([0.2, 0.8, 0.3, 0.1])]
    results = {a: [{"seed": i, "steps": 7, "samples": 56, "seconds": 1.0, "final_loss": 0.5,
                    "scores": s.to_dict(), "coverage": {"scored": 4, "distinct": 4, "expected": 4}}
                   for i, s in enumerate(runs)] for a, runs in (("base", base), ("negatives", neg))}
    rep = report.build({"seeds": [0, 1], "steps": 7, "batch_size": 8, "eval_split": "val"}, results, bootstrap=50)
    fpr = rep["arms"]["base"]["metrics"]["fpr_negatives"]
    assert (fpr["k"], fpr["n"]) == (3, 4)  # 0.8, 0.7 | 0.9 called stego of four negatives
    assert rep["arms"]["negatives"]["metrics"]["fpr_negatives"]["k"] == 0
    d = rep["arms"]["negatives"]["vs_base"]["fpr_negatives"]
    assert d["value"] == pytest.approx(-0.75) and d["lo"] <= d["value"] <= d["hi"]
    assert set(rep["arms"]["base"]["metrics"]) >= {"fpr_clean", "fpr_negatives", "fpr_negatives/a",
                                                   "fpr_negatives/b", "detection", "detection/alpha", "auc"}
    md = report.markdown(rep)
    assert "| fpr_negatives (%) |" in md and "negatives - base" in md


@pytest.fixture
def demo_server(go_bin, tmp_path):
    """A server over the demo tree written into tmp_path."""
    port = free_port()
    addr = f"127.0.0.1:{port}"
    log = open(tmp_path / "demo.log", "wb")
    proc = subprocess.Popen([str(go_bin / "dataserver"), "demo", "--dir", str(tmp_path / "tree"), "--addr", addr],
                            stdout=log, stderr=subprocess.STDOUT)
    s = Server.__new__(Server)
    s.addr, s.proc, s._log, s.log_path = addr, proc, log, tmp_path / "demo.log"
    s.wait_serving(timeout=120)
    yield s
    s.stop()


def test_quick_ablation_on_demo_tree(demo_server, tmp_path):
    out = tmp_path / "report"
    t0 = time.monotonic()
    arms = "base,negatives"
    r = subprocess.run([sys.executable, "-m", "starlight_dataserver.ablation", "--addr", demo_server.addr,
                        "--quick", "--arms", arms, "--out", str(out)],
                       cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    rep = json.loads((out / "report.json").read_text())
    assert (out / "report.png").stat().st_size > 1000 and (out / "report.md").read_text().startswith("| metric |")
    assert list(rep["arms"]) == arms.split(",")
    steps = {a: e["steps"] for a, e in rep["arms"].items()}
    assert all(s == [12, 12] for s in steps.values()), steps
    for c in rep["eval"]["coverage"]:
        # Every val sample scored exactly once: as many as the server's
        # split holds, none twice.
        assert c["scored"] == c["distinct"] == c["expected"] == rep["eval"]["samples"] > 0, c
    assert "vs_base" in rep["arms"]["negatives"]
    print(f"quick ablation: {time.monotonic() - t0:.1f} s")
