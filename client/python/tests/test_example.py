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


def test_train_example_names_the_limit_it_stopped_at(server):
    base = [sys.executable, str(EXAMPLE), "--addr", server.addr, "--epochs", "3", "--batch-size", "8"]
    r = subprocess.run(base + ["--max-batches", "2"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "stopping: the batch limit (--max-batches 2) reached after 2 batches" in r.stdout, r.stdout
    r = subprocess.run(base + ["--max-seconds", "0"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "stopping: the time limit (--max-seconds 0) reached after 1 batches, in epoch 0 of 3" in r.stdout, r.stdout


def test_train_example_missing_demo_bin(tmp_path):
    missing = tmp_path / "dataserver"
    r = subprocess.run([sys.executable, str(EXAMPLE), "--demo-bin", str(missing)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    assert f"--demo-bin {missing}: no such executable file" in r.stderr and "go build -o dataserver ./cmd/dataserver" in r.stderr


def test_throughput_help_is_whole():
    r = subprocess.run([sys.executable, str(EXAMPLE.parent / "throughput.py"), "-h"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    # the whole first paragraph, not its first line only
    assert "is not counted)." in r.stdout and "--workers N" in r.stdout, r.stdout
