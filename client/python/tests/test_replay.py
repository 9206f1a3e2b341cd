"""Receipts over a real server process: batch["receipt"], ds.replay() and
explain() give back exactly the batch sent, after a restart too; a changed
file is named."""

import shutil

import grpc
import pytest
import torch

from conftest import CORPUS
from starlight_dataserver import Connection, StreamError, StreamingDataset, explain
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.replay import replay_message


def dataset(addr, rank=0, **kw):
    return StreamingDataset(addr, batch_size=5, seed=7, rank=rank, world_size=2, max_batches=2,
                            mix=(1, 2, 1), **kw)


def same_batch(a, b):
    assert a.keys() == b.keys()
    for k, v in a.items():
        if isinstance(v, torch.Tensor):
            assert torch.equal(v, b[k]), k
        else:
            assert v == b[k], k


def test_receipts_replay_and_explain(start_server):
    first = start_server()
    sent = {r: list(dataset(first.addr, r)) for r in (0, 1)}
    receipts = [b["receipt"] for r in sent for b in sent[r]]
    assert len(receipts) == 4 and all(receipts), "every batch carries a receipt"
    assert len(set(receipts)) == 4, "receipts of two ranks never collide"

    # The raw message: equal to the one streamed, byte for byte.
    req = dataset(first.addr, 1).request(1, 2)
    with Connection(first.addr) as conn:
        streamed = list(conn.stub().StreamBatches(req, timeout=60))
        for m in streamed:
            again = replay_message(conn, m.receipt)
            assert again.SerializeToString(deterministic=True) == m.SerializeToString(deterministic=True)
            bare = pb.StreamBatchesResponse()
            bare.CopyFrom(m)
            del bare.tensors[:]
            assert replay_message(conn, m.receipt, columns_only=True) == bare

    first.stop(kill=True)
    restarted = start_server()
    for r, batches in sent.items():
        ds = dataset(restarted.addr, r)
        for b in batches:
            same_batch(ds.replay(b["receipt"]), {k: v for k, v in b.items() if k not in ("stream", "num_streams", "rank", "world_size")})
            rows = explain(restarted.addr, b["receipt"])
            assert [x["path"] for x in rows] == b["paths"]
            assert [x["loss_weight"] for x in rows] == b["loss_weight"].tolist()
            assert {x["kind"] for x in rows} <= {"clean", "stego", "negative"}
            assert all((x["technique"] != "") == (x["kind"] == "stego") for x in rows)
            assert ds.explain(b["receipt"]) == rows


def test_changed_file_is_named(start_server, tmp_path):
    root = tmp_path / "datasets"
    shutil.copytree(CORPUS / "datasets", root)
    srv = start_server(root)
    ds = dataset(srv.addr, streams=["format"])
    b = next(iter(ds))
    victim = b["paths"][0]
    with open(root / victim, "ab") as f:
        f.write(b"\0")
    with pytest.raises(StreamError) as e:
        ds.replay(b["receipt"])
    assert e.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert victim in str(e.value)
    with pytest.raises(StreamError) as e:
        explain(srv.addr, b["receipt"][:-2] + "AA")
    assert e.value.code == grpc.StatusCode.INVALID_ARGUMENT
