"""LossReporter and Mining against the real server over the corpus."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

import starlight_dataserver as sds
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.transport import Connection


def _batches(addr, n, **kw):
    ds = sds.StreamingDataset(addr, batch_size=8, mix=(0, 0, 1), streams=["format"], max_batches=n, **kw)
    return list(ds)


def _run_stats(addr, run):
    with Connection(addr) as c:
        st = c.stub().Stats(pb.StatsRequest(page_size=1), timeout=10)
    return {r.run: r for r in st.runs}.get(run)


def test_reporter_sends_losses_in_the_background(server):
    batches = _batches(server.addr, 3)
    with sds.LossReporter(server.addr, run="py-reporter", flush_interval=0.2) as rep:
        for i, b in enumerate(batches):
            n = len(b["content_ids"])
            assert rep.report(b, [float(j + i) for j in range(n)], [0.5] * n) == n
        assert rep.flush(timeout=30)
        assert rep.accepted == sum(len(b["content_ids"]) for b in batches) and rep.rejected == 0
    run = _run_stats(server.addr, "py-reporter")
    assert run is not None and run.records == rep.accepted and len(run.hardest) > 0
    assert run.hardest[0].path and run.hardest[0].kind == pb.KIND_NEGATIVE


def test_reporter_counts_rejected_and_dropped(server):
    b = _batches(server.addr, 1)[0]
    n = len(b["content_ids"])
    with sds.LossReporter(server.addr, run="py-bad", max_queue=n) as rep:
        assert rep.report(b, [float("nan")] + [1.0] * (n - 1)) == n
        assert rep.report(b, [1.0] * n) in (0, n)  # full unless the first went out already
        rep.flush(timeout=30)
    assert rep.rejected == 1 and rep.accepted + rep.rejected + rep.dropped == rep.queued_total + rep.dropped
    with pytest.raises(sds.ConfigError):
        rep.report(b, [1.0] * n)
    with pytest.raises(sds.ConfigError):
        sds.LossReporter(server.addr, run="x" * 65)


def test_reporter_never_blocks_on_a_dead_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        addr = f"127.0.0.1:{s.getsockname()[1]}"  # nothing listens once closed
    batch = {"content_ids": ["0" * 64] * 64, "epoch": 0}
    rep = sds.LossReporter(addr, run="py-dead", timeout=2, flush_interval=0.05, max_queue=256)
    # The queue holds 4 batches; with the sends failing slowly, report goes on
    # returning (dropping what does not fit) instead of waiting.
    queued = [rep.report(batch, [1.0] * 64) for _ in range(100)]
    assert queued.count(0) > 0
    rep.close(timeout=30)
    assert rep.dropped > 0 and rep.failed > 0 and rep.accepted == 0


def test_mining_option_reaches_the_server(server):
    batches = _batches(server.addr, 4)
    with sds.LossReporter(server.addr, run="py-mine") as rep:
        for b in batches:
            rep.report(b, [5.0] * len(b["content_ids"]))
    mined = _batches(server.addr, 4, epoch=1, mining=sds.Mining(run="py-mine", strength=8, first_epoch=1))
    assert len(mined) == 4 and all(k == sds.KIND_NEGATIVE for b in mined for k in b["kind"].tolist())
    with pytest.raises(sds.ConfigError):
        sds.Mining(run="r", kinds=("hard",))
    with pytest.raises(sds.ConfigError):
        sds.Mining(run="r", strength=0.5)


def test_train_example_with_mining(server):
    example = Path(__file__).resolve().parent.parent / "examples" / "train.py"
    cmd = [sys.executable, str(example), "--addr", server.addr, "--epochs", "1", "--max-batches", "3",
           "--batch-size", "8", "--mining", "--mining-run", "py-example", "--mining-first-epoch", "0"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    line = [l for l in r.stdout.splitlines() if l.startswith("mining: ")]
    assert line and "losses reported, accepted 24," in line[0], r.stdout
    run = _run_stats(server.addr, "py-example")
    assert run is not None and run.records == 24
