"""Helpers of the server tests: the reference digests and the uint8 values
behind the client's float tensors."""

import hashlib
import json
from pathlib import Path
from typing import Dict

import numpy as np
import torch

from starlight_dataserver import Connection
from starlight_dataserver._proto import dataserver_pb2 as pb

SCALED = ("pixel", "meta", "palette")
PLANES = ("alpha", "lsb", "palette_lsb")
FLOATS = ("format", "content")


def sha(a) -> str:
    """sha256 of an array's bytes in C order."""
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def to_u8(name: str, t: torch.Tensor) -> np.ndarray:
    """The uint8 values a float stream tensor was made of: v/255 streams are
    multiplied back and rounded (and checked to be exactly v/255), 0/1 planes
    checked to be 0 or 1."""
    if name in SCALED:
        u8 = (t * 255).round().to(torch.uint8)
        assert torch.equal(u8.float() / 255, t), f"{name}: not exactly value/255"
        return u8.numpy()
    if name in PLANES:
        assert bool(((t == 0) | (t == 1)).all()), f"{name}: a 0/1 plane holds other values"
        return t.to(torch.uint8).numpy()
    raise ValueError(name)


def alpha_full_u8(t: torch.Tensor) -> np.ndarray:
    """The full alpha values behind a two-channel alpha tensor, checking that
    channel 1 is their LSB."""
    full = (t[:, 0:1] * 255).round().to(torch.uint8)
    assert torch.equal(full.float() / 255, t[:, 0:1]), "alpha channel 0: not exactly value/255"
    assert torch.equal((full & 1).float(), t[:, 1:2]), "alpha channel 1 is not alpha & 1"
    return full.numpy()


def load_expected(corpus: Path) -> Dict[str, dict]:
    """expected.jsonl by path."""
    out = {}
    with open(corpus / "expected.jsonl") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                out[d["path"]] = d
    return out


def stats(addr: str) -> "pb.StatsResponse":
    """The server's Stats."""
    with Connection(addr) as c:
        return c.stub().Stats(pb.StatsRequest(page_size=1), timeout=10)


def served_by_kind(addr: str) -> Dict[int, int]:
    """Samples an epoch of split "all" serves per kind code (the splits'
    cells added up: byte-identical copies once)."""
    out: Dict[int, int] = {}
    for split in stats(addr).splits:
        for row in split.counts:
            out[row.kind] = out.get(row.kind, 0) + row.samples
    return out
