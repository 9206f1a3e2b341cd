"""Hostile or corrupt input: the decoders raise their own errors, nothing
else, and allocate nothing large before checking."""

import numpy as np
import pytest
from google.protobuf.message import DecodeError

from starlight_dataserver import TensorError, to_batch
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.transport import decode_health_status
from starlight_dataserver.wirebatch import decode
from test_tensors import STREAMS, full_message


def mutations(data: bytes, rng, count: int):
    """Copies of data with a few bytes flipped, cut or inserted."""
    for _ in range(count):
        b = bytearray(data)
        for _ in range(rng.integers(1, 6)):
            op = rng.integers(0, 3)
            i = int(rng.integers(0, len(b))) if b else 0
            if op == 0 and b:
                b[i] ^= 1 << int(rng.integers(0, 8))
            elif op == 1:
                del b[i:i + int(rng.integers(1, 64))]
            else:
                b[i:i] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 8)), dtype=np.uint8))
        yield bytes(b)


@pytest.mark.filterwarnings("ignore:Unexpected end-group tag")
def test_corrupt_batch_messages():
    rng = np.random.default_rng(1)
    m, _ = full_message(batch=1, packed=True)
    # keep the message small: mutate a batch whose image tensors are cut down
    raw = m.SerializeToString()
    outcomes = {"ok": 0, "tensor": 0, "decode": 0}
    for data in mutations(raw[:4096] + raw[-1024:], rng, 150):
        try:
            msg = pb.StreamBatchesResponse.FromString(data)
        except DecodeError:
            outcomes["decode"] += 1
            continue
        for ch in (1, 2):
            try:
                to_batch(msg, STREAMS, ch)
                outcomes["ok"] += 1
            except TensorError:
                outcomes["tensor"] += 1
    assert outcomes["tensor"] > 0


def test_corrupt_batch_messages_on_the_raw_path():
    # The path StreamingDataset takes: decode the bytes by hand, then
    # convert. Whatever the bytes, the only error is TensorError.
    rng = np.random.default_rng(2)
    m, _ = full_message(batch=1, packed=True)
    raw = m.SerializeToString()
    outcomes = {"ok": 0, "tensor": 0}
    for data in mutations(raw[:4096] + raw[-1024:], rng, 300):
        try:
            msg = decode(data)
            for ch in (1, 2):
                for dtype in ("float32", "uint8"):
                    to_batch(msg, STREAMS, ch, dtype)
            outcomes["ok"] += 1
        except TensorError:
            outcomes["tensor"] += 1
    assert outcomes["tensor"] > 0


def test_declared_shapes_are_checked_before_allocation():
    m = pb.StreamBatchesResponse(content_ids=["a"], paths=["p"], submissions=["s"], labels=[0], kinds=[1],
                                 technique_classes=[-1], bit_orders=[3], negative_categories=[""], loss_weights=[1],
                                 bit_order_one_hot=b"\x00\x00\x01")
    m.tensors.add(name="pixel", dtype=pb.DTYPE_UINT8, shape=[1, 3, 1 << 20, 1 << 20], data=b"", bits_packed=True)
    try:
        to_batch(m, ("pixel",), 1)
    except TensorError as e:
        assert "shape" in str(e)
    else:
        raise AssertionError("a 3 TiB shape was accepted")


def test_corrupt_health_responses():
    rng = np.random.default_rng(2)
    for data in mutations(b"\x08\x01\x12\x03abc\x1d\x00\x00\x00\x00", rng, 300):
        try:
            decode_health_status(data)
        except ValueError:
            pass
