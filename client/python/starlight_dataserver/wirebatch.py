"""A batch message read off the wire without copying its tensors.

The generated protobuf class copies every ``bytes`` field twice on the way
in (once parsing, once more on each ``.data`` access): some 15 MB per batch
of 32 at full resolution. StreamBatches is therefore called with a raw
deserializer and the message is split here: the tensors' data become
read-only views into the one buffer gRPC handed over, and every other field
(a few KB) is parsed by the generated class, with the usual protobuf
semantics (field order, last value wins, unknown fields kept apart)."""

from typing import List, Tuple

from google.protobuf.message import DecodeError

from ._proto import dataserver_pb2 as pb
from .errors import TensorError
from .protowire import walk

#: Field number of StreamBatchesResponse.tensors.
TENSORS_FIELD = 17
#: Field number of Tensor.data.
DATA_FIELD = 4


class WireTensor:
    """One tensor of a batch: name, dtype, shape (a tuple) and bits_packed as
    the message says, data a read-only memoryview into the message's buffer."""

    __slots__ = ("name", "dtype", "shape", "data", "bits_packed")

    def __init__(self, name: str, dtype: int, shape: Tuple[int, ...], data: memoryview, bits_packed: bool):
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
        self.bits_packed = bits_packed


class WireBatch:
    """A StreamBatchesResponse whose tensors are WireTensor views: every
    other field is read from ``header`` (the message without its tensors),
    so code written for the generated class reads it the same way."""

    __slots__ = ("header", "tensors")

    def __init__(self, header: "pb.StreamBatchesResponse", tensors: List[WireTensor]):
        self.header = header
        self.tensors = tensors

    def __getattr__(self, name):
        return getattr(self.header, name)


def _spans(buf, start: int, end: int, want: int, what: str):
    """Yields (want, value start, value end) of every length-delimited
    field numbered want in buf[start:end], and (0, a, b) for each run
    [a, b) of the other fields between them."""
    run = start
    for field, wire, f0, a, b in walk(buf, start, end, what):
        if field == want and wire == 2:
            if run < f0:
                yield 0, run, f0
            yield field, a, b
            run = b
    if run < end:
        yield 0, run, end


def decode(data: bytes) -> WireBatch:
    """Splits a serialized StreamBatchesResponse into its header (parsed by
    the generated class) and its tensors (views into data). Malformed bytes
    raise TensorError naming the byte where they go wrong."""
    view = memoryview(data)
    end = len(data)
    rest: List[memoryview] = []
    tensors: List[WireTensor] = []
    try:
        for field, a, b in _spans(data, 0, end, TENSORS_FIELD, "batch message"):
            if field:
                tensors.append(_tensor(data, view, a, b))
            else:
                rest.append(view[a:b])
        header = _parse(pb.StreamBatchesResponse, rest, "batch message")
    except ValueError as e:
        raise TensorError(str(e)) from None
    return WireBatch(header, tensors)


def _tensor(data: bytes, view: memoryview, start: int, end: int) -> WireTensor:
    rest: List[memoryview] = []
    payload = view[0:0]
    what = f"tensor at byte {start}"
    for field, a, b in _spans(data, start, end, DATA_FIELD, what):
        if field:
            payload = view[a:b]  # proto3: the last value wins
        else:
            rest.append(view[a:b])
    t = _parse(pb.Tensor, rest, what)
    return WireTensor(t.name, t.dtype, tuple(t.shape), payload, t.bits_packed)


def _parse(cls, parts: List[memoryview], what: str):
    try:
        return cls.FromString(b"".join(parts))
    except DecodeError as e:
        raise ValueError(f"{what}: {e}") from None
