"""uint8 batches and their normalisation (bit for bit the float32 batches),
and the background prefetch thread."""

import threading
import time

import numpy as np
import pytest
import torch

from starlight_dataserver import StreamingDataset, normalize
from starlight_dataserver.errors import ConfigError
from starlight_dataserver.tensors import scale_table


def pull(addr, n, **kw):
    ds = StreamingDataset(addr, max_batches=n, rank=0, world_size=1, batch_size=5, seed=3, **kw)
    out = list(ds)
    assert len(out) == n
    return out


@pytest.mark.parametrize("alpha_channels,pack", [(1, True), (2, True), (1, False), (2, False)])
def test_uint8_normalized_equals_float32_bit_for_bit(server, alpha_channels, pack):
    f32 = pull(server.addr, 4, alpha_channels=alpha_channels, pack_bit_planes=pack)
    u8 = pull(server.addr, 4, alpha_channels=alpha_channels, pack_bit_planes=pack, dtype="uint8")
    for a, b in zip(f32, u8):
        assert a["content_ids"] == b["content_ids"]
        for k in ("pixel", "meta", "alpha", "lsb", "palette", "palette_lsb"):
            assert b[k].dtype == torch.uint8, k
            assert b[k].shape == a[k].shape, k
        n = normalize(b)
        for k in ("pixel", "meta", "alpha", "lsb", "palette", "palette_lsb", "format", "content",
                  "bit_order", "label", "method", "loss_weight", "kind"):
            assert n[k].dtype == a[k].dtype, k
            # Bit for bit: compare the raw bytes, not values within a tolerance.
            assert a[k].numpy().tobytes() == n[k].numpy().tobytes(), k


def test_device_path_uses_the_same_bits():
    # The lookup table the device path scales with holds numpy's v/255
    # bits; a device's own division by a scalar may not.
    v = np.arange(256, dtype=np.uint8)
    want = (v / np.float32(255)).astype(np.float32)
    assert scale_table("cpu").numpy().tobytes() == want.tobytes()
    x = torch.from_numpy(np.random.default_rng(1).integers(0, 256, (2, 3, 8, 8), dtype=np.uint8))
    got = scale_table("cpu")[x.long()]
    assert got.numpy().tobytes() == (x.numpy() / np.float32(255)).astype(np.float32).tobytes()


def test_dtype_checked():
    with pytest.raises(ConfigError, match="dtype"):
        StreamingDataset("127.0.0.1:1", batch_size=2, dtype="float16")


def test_prefetch_gives_the_same_batches(server):
    a = pull(server.addr, 5, prefetch=0)
    b = pull(server.addr, 5, prefetch=3)
    assert [x["cursor"] for x in a] == [x["cursor"] for x in b]
    assert all(torch.equal(x["pixel"], y["pixel"]) for x, y in zip(a, b))


def test_breaking_out_of_a_prefetching_loop_ends_the_thread(server):
    ds = StreamingDataset(server.addr, batch_size=4, rank=0, world_size=1, epochs=50, prefetch=2)
    before = {t.name for t in threading.enumerate()}
    it = iter(ds)
    next(it)
    names = {t.name for t in threading.enumerate()}
    assert {"starlight-prefetch", "starlight-prefetch-convert-0", "starlight-prefetch-convert-1"} <= names, names
    it.close()
    deadline = time.monotonic() + 5
    while any(t.name.startswith("starlight-prefetch") for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name.startswith("starlight-prefetch") for t in threading.enumerate()), before
