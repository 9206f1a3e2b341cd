"""examples/train.py runs end to end against the server (a few batches)."""

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "train.py"


def test_train_example_runs_and_reports(server, tmp_path):
    ck = tmp_path / "ck.pt"
    cmd = [sys.executable, str(EXAMPLE), "--addr", server.addr, "--epochs", "2", "--max-batches", "3",
           "--batch-size", "8", "--checkpoint", str(ck)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "epoch 0: loss " in r.stdout and "false positive rate on negatives: " in r.stdout, r.stdout
    assert ck.exists()
    # a second run resumes from the checkpoint
    r = subprocess.run(cmd[:-2] + ["--checkpoint", str(ck), "--epochs", "2"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    # the first run stopped inside epoch 0: the second continues epoch 0
    # from the saved position (3 of its batches already seen), then epoch 1
    assert "resumed from" in r.stdout and "at epoch 0" in r.stdout, r.stdout
    assert "epoch 0: loss " in r.stdout, r.stdout
