"""A program that stops iterating a dataset mid-stream, without closing it,
still exits: its open channels are closed at exit while gRPC's threads run,
not left to interpreter shutdown (where closing one waits forever)."""

import subprocess
import sys

import pytest

from conftest import HERE

PROGRAM = """
import sys
import starlight_dataserver as sds
def dataset():
    return sds.StreamingDataset(sys.argv[1], batch_size=8, seed=1, epochs=1000)
if sys.argv[2] == "iterator":    # one stream, left open at exit
    it = iter(dataset())
    for _ in range(3):
        next(it)
else:                            # DataLoader workers, left mid-epoch
    loader = dataset().loader(num_workers=2)
    for i, b in enumerate(loader):
        if i == 3:
            break
print("stopped iterating", flush=True)
"""


@pytest.mark.parametrize("mode", ["iterator", "loader"])
def test_exits_with_a_stream_left_open(server, mode):
    # The timeout only catches a hang (the program takes about a second).
    try:
        r = subprocess.run([sys.executable, "-c", PROGRAM, server.addr, mode], cwd=HERE.parent,
                           capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the program did not exit within 60s of leaving its stream open (output: {e.stdout!r})")
    assert r.returncode == 0, r.stderr
    assert "stopped iterating" in r.stdout
