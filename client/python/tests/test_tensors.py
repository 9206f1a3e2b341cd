"""Tensor decoding without a server: wire messages built here by hand."""

import numpy as np
import pytest
import torch

from starlight_dataserver import TensorError, model_inputs, targets, to_batch
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.tensors import UNPACK_STEP, model_tensors, scaled, two_channel_alpha, unpack_into, wire_values

RNG = np.random.default_rng(7)


def tensor(name, values, dtype=pb.DTYPE_UINT8, packed=False, shape=None):
    a = np.asarray(values)
    shape = list(a.shape) if shape is None else shape
    if dtype == pb.DTYPE_FLOAT32:
        data = a.astype("<f4").tobytes()
    elif packed:
        data = np.packbits(a.astype(np.uint8).ravel()).tobytes()
    else:
        data = a.astype(np.uint8).tobytes()
    return pb.Tensor(name=name, dtype=dtype, shape=shape, data=data, bits_packed=packed)


def test_uint8_is_a_view_of_the_message_bytes():
    a = RNG.integers(0, 256, size=(2, 3, 4, 4), dtype=np.uint8)
    t = tensor("pixel", a)
    got, shape, n = wire_values(t)
    assert (shape, n) == ((2, 3, 4, 4), 96)
    assert got.dtype == np.uint8 and got.shape == (2, 3, 4, 4)
    assert np.array_equal(got, a)
    assert not got.flags.writeable  # numpy.frombuffer over the bytes, no copy
    assert not got.flags.owndata


@pytest.mark.parametrize("n", [1, 7, 8, 9, 64, 8 * UNPACK_STEP, 8 * UNPACK_STEP + 3])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_packed_bits_unpack_most_significant_first(n, dtype):
    # In cache-sized steps, the last one short, into either output dtype.
    bits = RNG.integers(0, 2, size=n, dtype=np.uint8)
    packed = bytearray((n + 7) // 8)
    for i, b in enumerate(bits):  # the wire layout, written out bit by bit
        packed[i // 8] |= int(b) << (7 - i % 8)
    t = pb.Tensor(name="lsb", dtype=pb.DTYPE_UINT8, shape=[n], data=bytes(packed), bits_packed=True)
    got, shape, count = wire_values(t)
    assert (shape, count, len(got)) == ((n,), n, len(packed))
    out = np.full(n, 7, dtype=dtype)
    assert unpack_into(got, out) is out
    assert np.array_equal(out, bits.astype(dtype))


def test_float32_is_little_endian():
    vals = np.array([[0.5, -1.25, 3.0e-7, 1.0, 0.0, 2.5]], dtype=np.float32)
    data = b"".join(int(v.view(np.uint32)).to_bytes(4, "little") for v in vals.ravel())
    t = pb.Tensor(name="format", dtype=pb.DTYPE_FLOAT32, shape=[1, 6], data=data)
    assert np.array_equal(wire_values(t)[0], vals)


@pytest.mark.parametrize("t, msg", [
    (pb.Tensor(name="x", dtype=pb.DTYPE_UINT8, shape=[2, 3], data=b"12345"), "needs 6 bytes"),
    (pb.Tensor(name="x", dtype=pb.DTYPE_UINT8, shape=[17], data=b"12", bits_packed=True), "needs 3 bytes"),
    (pb.Tensor(name="x", dtype=pb.DTYPE_FLOAT32, shape=[2], data=b"1234567"), "needs 8 bytes"),
    (pb.Tensor(name="x", dtype=pb.DTYPE_FLOAT32, shape=[8], data=b"1", bits_packed=True), "bit-packed"),
    (pb.Tensor(name="x", dtype=pb.DTYPE_UNSPECIFIED, shape=[1], data=b"1"), "dtype"),
    (pb.Tensor(name="x", dtype=pb.DTYPE_UINT8, shape=[], data=b""), "no shape"),
    (pb.Tensor(name="x", dtype=pb.DTYPE_UINT8, shape=[-1], data=b""), "negative"),
    (pb.Tensor(name="x", dtype=pb.DTYPE_UINT8, shape=[1 << 31, 1 << 31, 4], data=b""), "over"),
])
def test_malformed_tensors_are_refused(t, msg):
    with pytest.raises(TensorError, match=msg):
        wire_values(t)


def test_scaled_equals_torch_division_for_every_byte():
    v = np.arange(256, dtype=np.uint8)
    got = scaled(v)
    want = torch.arange(256, dtype=torch.uint8).float() / 255
    assert got.dtype == torch.float32
    assert torch.equal(got, want)
    assert torch.equal((got * 255).round().to(torch.uint8), torch.arange(256, dtype=torch.uint8))


def test_two_channel_alpha():
    full = RNG.integers(0, 256, size=(3, 1, 5, 5), dtype=np.uint8)
    got = two_channel_alpha(full)
    assert got.shape == (3, 2, 5, 5) and got.dtype == torch.float32
    t = torch.from_numpy(full.copy())
    assert torch.equal(got[:, 0:1], t.float() / 255)
    assert torch.equal(got[:, 1:2], (t & 1).float())


def full_message(batch=2, packed=True, alpha_full=False):
    """A batch message with every stream, values drawn at random."""
    px = RNG.integers(0, 256, size=(batch, 3, 256, 256), dtype=np.uint8)
    meta = RNG.integers(0, 256, size=(batch, 2048), dtype=np.uint8)
    alpha = RNG.integers(0, 256 if alpha_full else 2, size=(batch, 1, 256, 256), dtype=np.uint8)
    pal = RNG.integers(0, 256, size=(batch, 768), dtype=np.uint8)
    pal_lsb = RNG.integers(0, 2, size=(batch, 1, 256, 256), dtype=np.uint8)
    fmt = RNG.random((batch, 6), dtype=np.float32)
    cont = RNG.random((batch, 6), dtype=np.float32)
    m = pb.StreamBatchesResponse(
        snapshot_id="snap", epoch=3, batch_index=1, batches_per_epoch=5, cursor="c1", extractor_version="reference-1",
        content_ids=[f"id{i}" for i in range(batch)], paths=[f"p{i}" for i in range(batch)],
        submissions=["s"] * batch, labels=[1, 0][:batch], kinds=[pb.KIND_STEGO, pb.KIND_NEGATIVE][:batch],
        technique_classes=[2, -1][:batch], bit_orders=[pb.BIT_ORDER_MSB_FIRST, pb.BIT_ORDER_NONE][:batch],
        bit_order_one_hot=bytes([0, 1, 0, 0, 0, 1][:3 * batch]), negative_categories=["", "noise_lsb"][:batch],
        loss_weights=[1.0, 2.0][:batch])
    m.tensors.extend([
        tensor("pixel", px), tensor("meta", meta),
        tensor("alpha_full", alpha) if alpha_full else tensor("alpha", alpha, packed=packed),
        tensor("lsb", px & 1, packed=packed), tensor("palette", pal),
        tensor("palette_lsb", pal_lsb, packed=packed),
        tensor("format", fmt, dtype=pb.DTYPE_FLOAT32), tensor("content", cont, dtype=pb.DTYPE_FLOAT32),
    ])
    return m, dict(pixel=px, meta=meta, alpha=alpha, lsb=px & 1, palette=pal, palette_lsb=pal_lsb, format=fmt, content=cont)


STREAMS = ("pixel", "meta", "alpha", "lsb", "palette", "palette_lsb", "format", "content")


@pytest.mark.parametrize("packed", [True, False])
def test_batch_dict_values_and_order(packed):
    m, src = full_message(packed=packed)
    b = to_batch(m, STREAMS, 1)
    assert list(b)[:13] == list(STREAMS) + ["bit_order", "label", "method", "loss_weight", "kind"]
    for name in ("pixel", "meta", "palette"):
        assert torch.equal(b[name], torch.from_numpy(src[name].copy()).float() / 255), name
    for name in ("alpha", "lsb", "palette_lsb"):
        assert torch.equal(b[name], torch.from_numpy(src[name].copy()).float()), name
    for name in ("format", "content"):
        assert torch.equal(b[name], torch.from_numpy(src[name])), name
    for v in b.values():
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            assert v.dtype == torch.float32
    assert b["bit_order"].tolist() == [[0, 1, 0], [0, 0, 1]]
    assert b["label"].tolist() == [1, 0] and b["label"].dtype == torch.int64
    assert b["method"].tolist() == [2, -1]
    assert b["loss_weight"].tolist() == [1.0, 2.0]
    assert b["kind"].tolist() == [pb.KIND_STEGO, pb.KIND_NEGATIVE]
    assert b["paths"] == ["p0", "p1"] and b["content_ids"] == ["id0", "id1"]
    assert (b["epoch"], b["batch_index"], b["batches_per_epoch"], b["cursor"]) == (3, 1, 5, "c1")
    assert [x.shape for x in model_inputs(b)][:3] == [(2, 3, 256, 256), (2, 2048), (2, 1, 256, 256)]
    assert len(model_inputs(b)) == 8
    assert targets(b)[0] is b["bit_order"] and targets(b)[3] is b["loss_weight"]


def test_two_alpha_channels_from_alpha_full():
    m, src = full_message(alpha_full=True)
    b = to_batch(m, STREAMS, 2)
    a = torch.from_numpy(src["alpha"].copy())
    assert b["alpha"].shape == (2, 2, 256, 256)
    assert torch.equal(b["alpha"][:, :1], a.float() / 255)
    assert torch.equal(b["alpha"][:, 1:], (a & 1).float())


def test_tensors_that_do_not_match_the_request_are_refused():
    m, _ = full_message()
    with pytest.raises(TensorError, match="requested"):
        model_tensors(m, STREAMS[:-1], 1)
    with pytest.raises(TensorError, match="'alpha' sent where 'alpha_full'"):
        model_tensors(m, STREAMS, 2)
    m.tensors[0].shape[:] = [1, 3, 256, 512]
    with pytest.raises(TensorError, match="shape"):
        model_tensors(m, STREAMS, 1)
    m, _ = full_message(packed=False)
    m.tensors[3].data = b"\x02" + m.tensors[3].data[1:]
    with pytest.raises(TensorError, match="above 1"):
        model_tensors(m, STREAMS, 1)


def test_column_lengths_must_agree():
    m, _ = full_message()
    del m.loss_weights[1:]
    with pytest.raises(TensorError, match="loss_weights"):
        to_batch(m, STREAMS, 1)
    m, _ = full_message()
    m.bit_order_one_hot = b"\x01\x00"
    with pytest.raises(TensorError, match="bit_order_one_hot"):
        to_batch(m, STREAMS, 1)
