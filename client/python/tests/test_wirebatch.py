"""The raw batch path: a message split into header and tensor views equals
the generated class's parse; converted arrays reused only once dropped;
the receive/convert pipeline keeps order, errors and bounds."""

import gc
import time
import weakref

import numpy as np
import pytest
import torch

from starlight_dataserver import StreamingDataset, TensorError, to_batch
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.bufpool import BufferPool
from starlight_dataserver.prefetch import Pipeline
from starlight_dataserver.transport import Connection
from starlight_dataserver.wirebatch import decode
from test_stream import _bytes_field, _key, _uvarint
from test_tensors import STREAMS, full_message


@pytest.mark.parametrize("packed,alpha_full", [(True, False), (False, False), (True, True)])
def test_decode_equals_the_generated_parse(packed, alpha_full):
    m, _ = full_message(batch=2, packed=packed, alpha_full=alpha_full)
    m.receipt, m.split = "r1", "train"
    m.pair_index.extend([0, 0])
    m.transforms.extend([3, 5])
    data = m.SerializeToString()
    w = decode(data)
    bare = pb.StreamBatchesResponse()
    bare.CopyFrom(m)
    del bare.tensors[:]
    assert w.header == bare
    assert [(t.name, t.dtype, t.shape, t.bits_packed, bytes(t.data)) for t in w.tensors] == \
        [(t.name, t.dtype, tuple(t.shape), t.bits_packed, t.data) for t in m.tensors]
    # The data are views into the message, not copies.
    assert all(isinstance(t.data, memoryview) and t.data.obj is data for t in w.tensors)
    streams = STREAMS
    for dtype in ("float32", "uint8"):
        a, b = to_batch(m, streams, 2 if alpha_full else 1, dtype), to_batch(w, streams, 2 if alpha_full else 1, dtype)
        for k in streams:
            assert a[k].dtype == b[k].dtype and a[k].numpy().tobytes() == b[k].numpy().tobytes(), (dtype, k)
        for k in ("label", "method", "loss_weight", "kind", "bit_order", "pair_index", "transforms"):
            assert torch.equal(a[k], b[k]), k
        assert (a["cursor"], a["receipt"], a["split"], a["content_ids"]) == (b["cursor"], b["receipt"], b["split"], b["content_ids"])


def test_decode_keeps_protobuf_semantics_for_odd_but_valid_encodings():
    # Fields out of order, a tensor's data given twice (the last wins), an
    # unknown field inside a tensor and at the top, fixed-width fields.
    t1 = (_bytes_field(4, b"old!") + _bytes_field(1, b"meta") + _key(2, 0) + _uvarint(pb.DTYPE_UINT8)
          + _bytes_field(3, _uvarint(1) + _uvarint(3)) + _bytes_field(4, b"\x01\x02\x03") + _key(99, 1) + b"\0" * 8)
    msg = (_key(3, 0) + _uvarint(7) + _bytes_field(17, t1) + _bytes_field(7, b"cid") + _key(98, 5) + b"\0" * 4
           + _bytes_field(5, b"cur"))
    w = decode(msg)
    assert (w.batch_index, w.cursor, list(w.content_ids)) == (7, "cur", ["cid"])
    [t] = w.tensors
    assert (t.name, t.dtype, t.shape, bytes(t.data)) == ("meta", pb.DTYPE_UINT8, (1, 3), b"\x01\x02\x03")
    ref = pb.StreamBatchesResponse.FromString(msg)
    assert ref.tensors[0].data == b"\x01\x02\x03" and ref.batch_index == 7


@pytest.mark.parametrize("msg,where", [
    (_key(17, 2) + _uvarint(100) + b"short", "runs past the end"),
    (_key(3, 0) + b"\xff\xff", "bad varint"),
    (_key(0, 0) + b"\x01", "field number 0"),
    (_key(5, 3), "wire type 3"),
    (_key(4, 1) + b"\0\0", "runs past the end"),
    (_bytes_field(17, _bytes_field(4, b"x") + _key(2, 2) + b"\x05ab"), "tensor at byte"),
    (_bytes_field(1, b"\xff\xfe"), "batch message"),  # a string that is not UTF-8
])
def test_malformed_messages_raise_a_tensor_error(msg, where):
    with pytest.raises(TensorError, match=where):
        decode(msg)


def test_pool_reuses_only_dropped_arrays():
    pool = BufferPool(keep=4)
    a = pool.empty((4, 4), np.float32)
    a[:] = 1
    first = weakref.ref(a)
    t = torch.from_numpy(a)
    del a
    b = pool.empty((4, 4), np.float32)
    assert b is not first()  # a is still held by the tensor t
    view = t[1:]
    del t
    c = pool.empty((4, 4), np.float32)
    assert c is not first() and c is not b  # and still by a view of t
    assert torch.equal(view, torch.ones(3, 4))
    third = weakref.ref(c)
    del c
    d = pool.empty((4, 4), np.float32)
    assert d is third()  # c was dropped: handed out again
    del view
    e = pool.empty((4, 4), np.float32)
    assert e is first()  # the first one, once its last view went
    assert pool.empty((4, 5), np.float32).shape == (4, 5)
    assert pool.empty((4, 4), np.uint8).dtype == np.uint8


def test_pool_keeps_a_bounded_number():
    pool = BufferPool(keep=3)
    held = [pool.empty((8,), np.uint8) for _ in range(10)]
    assert len({id(a) for a in held}) == 10
    refs = [weakref.ref(a) for a in held]
    del held
    gc.collect()
    # Only the tracked three outlive their last user, and they are what
    # the pool hands out again (their ids stay theirs while they live).
    kept = {id(r()) for r in refs if r() is not None}
    assert len(kept) == 3
    for _ in range(5):
        x = pool.empty((8,), np.uint8)
        assert id(x) in kept
        del x


def test_kept_batches_stay_as_they_were(server):
    # Batches the loop keeps are never written over by later ones, however
    # many follow while the dropped ones' arrays are reused: each kept batch
    # equals its copy taken on arrival and the same batch pulled afresh.
    ds = StreamingDataset(server.addr, max_batches=24, rank=0, world_size=1, batch_size=4, seed=5,
                          prefetch=2, convert_threads=2)
    kept, fresh = {}, {}
    for i, b in enumerate(ds):
        if i % 5 == 0:
            kept[i] = b
            fresh[i] = {k: b[k].clone() for k in STREAMS}
        del b
    assert len(kept) == 5
    for i, b in kept.items():
        for k in STREAMS:
            assert torch.equal(b[k], fresh[i][k]), (i, k)
    again = list(StreamingDataset(server.addr, max_batches=24, rank=0, world_size=1, batch_size=4, seed=5, prefetch=0))
    for i, b in kept.items():
        assert again[i]["cursor"] == b["cursor"]
        for k in STREAMS:
            assert again[i][k].numpy().tobytes() == b[k].numpy().tobytes(), (i, k)


def test_stream_delivers_wire_batches_equal_to_the_generated_parse(server):
    ds = StreamingDataset(server.addr, max_batches=3, rank=0, world_size=1, batch_size=3, seed=9, prefetch=0)
    with Connection(server.addr) as conn:
        parsed = list(conn.stub().StreamBatches(ds.request(0, 1), timeout=60))
    got = list(ds)
    assert len(parsed) == len(got) == 3
    for m, b in zip(parsed, got):
        want = to_batch(m, STREAMS, 1)
        assert want["cursor"] == b["cursor"]
        for k in STREAMS:
            assert want[k].numpy().tobytes() == b[k].numpy().tobytes(), k


@pytest.mark.parametrize("workers", [0, 1, 2, 3])
def test_pipeline_keeps_order(workers):
    def slow(x):
        time.sleep(0.001 * (x % 3))
        return x * 10
    got = list(Pipeline(iter(range(50)), 2, slow, workers=workers))
    assert got == [x * 10 for x in range(50)]


@pytest.mark.parametrize("workers", [0, 2])
def test_pipeline_raises_in_order(workers):
    def src():
        yield from range(5)
        raise RuntimeError("source broke")

    def conv(x):
        if x == 7:
            raise ValueError("convert broke")
        return x
    p = Pipeline(src(), 2, conv, workers=workers)
    assert [next(p) for _ in range(5)] == list(range(5))
    with pytest.raises(RuntimeError, match="source broke"):
        next(p)
    with pytest.raises(StopIteration):
        next(p)
    p.close()
    p = Pipeline(iter(range(10)), 2, conv, workers=workers)
    assert [next(p) for _ in range(7)] == list(range(7))
    with pytest.raises(ValueError, match="convert broke"):
        next(p)
    p.close()
    assert not any(t.is_alive() for t in p.threads)


@pytest.mark.parametrize("workers,most", [
    # One taken, two queued, one held by the thread waiting to queue it.
    (0, 4),
    # One taken; per worker one converted waiting (depth 2 over 2 workers),
    # one converting (blocked on its full output) and one in its input
    # queue; one held by the receiving thread.
    (2, 1 + 2 * 3 + 1),
])
def test_pipeline_stays_bounded_and_closes(workers, most):
    made = []

    def src():
        for i in range(1000):
            made.append(i)
            yield i
    p = Pipeline(src(), 2, lambda x: x, workers=workers)
    assert next(p) == 0
    time.sleep(0.3)
    assert len(made) <= most, made
    p.close()
    assert not any(t.is_alive() for t in p.threads)
