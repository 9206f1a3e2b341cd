"""Batches from the Go server over ../shared/corpus: shapes, dtypes, values,
and agreement with the Go client and with the raw wire bytes."""

import json
import subprocess

import grpc
import numpy as np
import pytest
import torch

from _support import FLOATS, PLANES, SCALED, alpha_full_u8, sha, to_u8
from starlight_dataserver import (KIND_CLEAN, KIND_NEGATIVE, KIND_STEGO, STREAMS, Connection, RetryPolicy,
                                  StreamError, StreamingDataset)
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.options import STREAM_KINDS


def batches(addr, n, **kw):
    ds = StreamingDataset(addr, max_batches=n, rank=0, world_size=1, **kw)
    out = list(ds)
    assert len(out) == n
    return out


def test_shapes_dtypes_and_values(server):
    bs = 6
    for b in batches(server.addr, 3, batch_size=bs, seed=11):
        want = {"pixel": (bs, 3, 256, 256), "meta": (bs, 2048), "alpha": (bs, 1, 256, 256),
                "lsb": (bs, 3, 256, 256), "palette": (bs, 768), "palette_lsb": (bs, 1, 256, 256),
                "format": (bs, 6), "content": (bs, 6), "bit_order": (bs, 3)}
        assert list(b)[:9] == list(want)
        for k, shape in want.items():
            assert tuple(b[k].shape) == shape, k
            assert b[k].dtype == torch.float32, k
            assert b[k].is_contiguous(), k
        for k in ("label", "method", "kind"):
            assert b[k].dtype == torch.int64 and tuple(b[k].shape) == (bs,)
        assert b["loss_weight"].dtype == torch.float32
        for k in SCALED + PLANES:
            to_u8(k, b[k])  # exactly v/255, or 0/1
        # lsb is the low bit of the very pixels sent
        assert torch.equal(b["lsb"].to(torch.uint8), torch.from_numpy(to_u8("pixel", b["pixel"]) & 1))
        kind = b["kind"]
        assert set(kind.tolist()) <= {KIND_CLEAN, KIND_STEGO, KIND_NEGATIVE}
        assert torch.equal(b["label"], (kind == KIND_STEGO).long())
        stego = kind == KIND_STEGO
        assert bool((b["method"][~stego] == -1).all()) and bool(((b["method"][stego] >= 0) & (b["method"][stego] <= 4)).all())
        assert torch.equal(b["bit_order"].sum(1), torch.ones(bs))
        assert bool((b["bit_order"][~stego, 2] == 1).all()), "clean and negatives have bit order none"
        # the server's default loss weights: clean 1, stego 1, negative 2
        assert torch.equal(b["loss_weight"], torch.where(kind == KIND_NEGATIVE, 2.0, 1.0))
        assert [c != "" for c in b["negative_categories"]] == (kind == KIND_NEGATIVE).tolist()
        assert len(b["paths"]) == len(b["content_ids"]) == bs
        assert all(len(c) == 64 for c in b["content_ids"])


def test_loss_weights_and_mix_reach_the_server(server):
    lw = {"clean": 0.5, "stego": 1.5, "negative": 3.0}
    for b in batches(server.addr, 2, batch_size=8, seed=2, mix=(0, 1, 1), loss_weights=lw, streams=["format"]):
        assert KIND_CLEAN not in b["kind"].tolist()
        want = torch.tensor([{KIND_STEGO: 1.5, KIND_NEGATIVE: 3.0}[k] for k in b["kind"].tolist()])
        assert torch.equal(b["loss_weight"], want)


def go_batches(go_bin, addr, n, batch_size, seed, pack, streams, mix=None):
    cmd = [str(go_bin / "gobatches"), "-addr", addr, "-batches", str(n), "-batch-size", str(batch_size),
           "-seed", str(seed), "-streams", ",".join(streams)]
    if pack:
        cmd.append("-pack")
    if mix:
        cmd += ["-mix", ":".join(map(str, mix))]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


@pytest.mark.parametrize("pack, alpha_channels", [(True, 1), (False, 1), (True, 2)])
def test_same_values_as_the_go_client(server, go_bin, pack, alpha_channels):
    n, bs, seed = 3, 5, 21
    wire = [("alpha_full" if (s == "alpha" and alpha_channels == 2) else s) for s in STREAMS]
    gos = go_batches(go_bin, server.addr, n, bs, seed, pack, wire)
    pys = batches(server.addr, n, batch_size=bs, seed=seed, pack_bit_planes=pack, alpha_channels=alpha_channels)
    assert len(gos) == len(pys) == n
    for g, p in zip(gos, pys):
        assert (p["epoch"], p["batch_index"], p["batches_per_epoch"], p["cursor"], p["snapshot_id"]) == \
               (g["epoch"], g["batch_index"], g["batches_per_epoch"], g["cursor"], g["snapshot_id"])
        assert p["paths"] == g["paths"] and p["content_ids"] == g["content_ids"]
        assert p["label"].tolist() == g["labels"] and p["kind"].tolist() == g["kinds"]
        assert p["method"].tolist() == g["technique_classes"]
        assert p["loss_weight"].tolist() == pytest.approx(g["loss_weights"], abs=0)
        assert p["bit_order"].flatten().tolist() == g["bit_order_one_hot"]
        assert set(g["tensors"]) == set(wire)
        for name in STREAMS:
            w = "alpha_full" if (name == "alpha" and alpha_channels == 2) else name
            gt = g["tensors"][w]
            assert gt["packed"] == (pack and w in PLANES), name
            if name in FLOATS:
                vals = p[name].numpy().astype("<f4")
            elif w == "alpha_full":
                vals = alpha_full_u8(p[name])
            else:
                vals = to_u8(name, p[name])
            assert list(vals.shape) == gt["shape"], name
            assert sha(vals) == gt["sha256"], f"{name}: values differ from the Go client's"
            assert [sha(v) for v in vals] == gt["per_sample"], name


def test_tensors_equal_the_raw_wire_bytes(server):
    """The same request read raw through the generated stub: each float
    tensor is its uint8 wire bytes / 255 (0/1 planes as they are), and packed
    planes unpack to the unpacked wire bytes."""
    bs, seed, n = 4, 5, 2
    req = pb.StreamBatchesRequest(batch_size=bs, seed=seed, max_batches=n,
                                  streams=[STREAM_KINDS[s] for s in STREAMS])
    with Connection(server.addr) as c:
        raw = list(c.stub().StreamBatches(req, timeout=60))
        req.pack_bit_planes = True
        raw_packed = list(c.stub().StreamBatches(req, timeout=60))
    pys = batches(server.addr, n, batch_size=bs, seed=seed, pack_bit_planes=True)
    for m, mp, p in zip(raw, raw_packed, pys):
        assert list(m.paths) == p["paths"] == list(mp.paths)
        for t, tp in zip(m.tensors, mp.tensors):
            assert t.name == tp.name and list(t.shape) == list(tp.shape)
            if t.name in FLOATS:
                assert t.data == p[t.name].numpy().astype("<f4").tobytes(), t.name
                continue
            assert not t.bits_packed and t.data == to_u8(t.name, p[t.name]).tobytes(), t.name
            if t.name in PLANES:
                assert tp.bits_packed
                assert len(tp.data) == (len(t.data) + 7) // 8
                bits = np.frombuffer(t.data, dtype=np.uint8)
                # pack the unpacked plane by hand, most significant bit first
                pad = np.zeros(len(tp.data) * 8, dtype=np.uint8)
                pad[:bits.size] = bits
                weights = np.array([128, 64, 32, 16, 8, 4, 2, 1], dtype=np.uint16)
                packed = (pad.reshape(-1, 8) * weights).sum(1).astype(np.uint8).tobytes()
                assert packed == tp.data, t.name
        assert m.bit_order_one_hot == p["bit_order"].numpy().astype(np.uint8).tobytes()


def test_final_errors_are_raised(server):
    """A status that is not transient (a cursor the server cannot read) ends
    the iteration with StreamError at once, carrying the code."""
    ds = StreamingDataset(server.addr, batch_size=4, rank=0, world_size=1,
                          retry=RetryPolicy(max_attempts=2, base_delay=0.01))
    state = ds.state_dict()
    state.update(num_streams=1, positions={0: {"cursor": "bm90IGEgY3Vyc29y", "epoch": 0, "batch_index": 0,
                                               "batches_per_epoch": 9}})
    ds.load_state_dict(state)
    with pytest.raises(StreamError) as e:
        list(ds)
    assert e.value.code == grpc.StatusCode.INVALID_ARGUMENT
