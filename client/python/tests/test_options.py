"""Request options, targets, TLS choices, rank discovery: no server."""

import pytest

from starlight_dataserver import ConfigError, LossWeights, Mix, StreamingDataset, TLSOptions, rank_world
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.distributed import global_stream
from starlight_dataserver.options import as_loss_weights, as_mix, stream_names, wire_streams
from starlight_dataserver.transport import decode_health_status, encode_health_request, is_loopback, split_targets


def test_mix_forms():
    assert as_mix(None) == Mix()
    with pytest.raises(ConfigError, match="0:0:0"):
        as_mix((0, 0, 0))
    assert as_mix((2, 1, 1)) == Mix(2, 1, 1)
    assert as_mix({"negative": 3}) == Mix(0, 0, 3)
    for bad in [(1, 2), {"dirty": 1}, (1, -1, 0), (1.5, 1, 1), (True, 1, 1)]:
        with pytest.raises(ConfigError):
            as_mix(bad)


def test_loss_weights_to_proto():
    w = as_loss_weights({"negative": 3, "negative_categories": {"rgb_no_alpha": 0.5}})
    m = w.to_proto()
    assert not m.HasField("clean") and m.negative == 3.0
    assert dict(m.negative_categories) == {"rgb_no_alpha": 0.5}
    assert as_loss_weights(None) is None
    for bad in [{"clean": -1}, {"clean": float("nan")}, {"x": 1}, {"negative_categories": {"": 1}}]:
        with pytest.raises(ConfigError):
            as_loss_weights(bad)


def test_streams_come_back_in_model_order():
    assert stream_names(None) == ("pixel", "meta", "alpha", "lsb", "palette", "palette_lsb", "format", "content")
    assert stream_names(["lsb", "pixel"]) == ("pixel", "lsb")
    assert stream_names("content, alpha") == ("alpha", "content")
    assert wire_streams(("pixel", "alpha"), 2) == ("pixel", "alpha_full")
    for bad in (["pixels"], ["lsb", "lsb"], ["alpha_full"]):
        with pytest.raises(ConfigError):
            stream_names(bad)
    with pytest.raises(ConfigError):
        wire_streams(("alpha",), 3)


def test_request_built_from_options():
    ds = StreamingDataset("127.0.0.1:1", batch_size=16, mix=(1, 2, 1), seed=9, epoch=2, epochs=3,
                          streams=["lsb", "alpha"], alpha_channels=2, loss_weights=LossWeights(stego=1.5),
                          class_balance=True, consumer="me", max_batches=4, rank=0, world_size=1)
    r = ds.request(5, 8)
    assert (r.batch_size, r.seed, r.epoch, r.end_epoch, r.rank, r.world_size) == (16, 9, 2, 5, 5, 8)
    assert (r.mix.clean, r.mix.stego, r.mix.negative) == (1, 2, 1)
    assert list(r.streams) == [pb.STREAM_KIND_ALPHA_FULL, pb.STREAM_KIND_LSB]
    assert r.class_balance and r.pack_bit_planes and r.consumer == "me" and r.max_batches == 4
    assert r.loss_weights.stego == 1.5 and not r.loss_weights.HasField("negative")
    assert r.cursor == ""


@pytest.mark.parametrize("kw", [dict(batch_size=0), dict(batch_size=8, seed=-1), dict(batch_size=8, epochs=0),
                                dict(batch_size=8, rank=2, world_size=2), dict(batch_size=1 << 32)])
def test_bad_options_fail_early(kw):
    with pytest.raises(ConfigError):
        StreamingDataset("127.0.0.1:1", **kw)


def test_targets():
    assert split_targets("a:1, b:2,") == ["a:1", "b:2"]
    assert split_targets(["a:1", "[::1]:3"]) == ["a:1", "[::1]:3"]
    assert split_targets("dns:///svc.ns:50051") == ["dns:///svc.ns:50051"]
    for bad in ["", "a", "a:b", "a:0", "dns:///x:1,b:2", "::1:3"]:
        with pytest.raises(ConfigError):
            split_targets(bad)
    assert is_loopback("127.0.0.1:5") and is_loopback("localhost:5") and is_loopback("[::1]:5")
    assert is_loopback("dns:///localhost:5") and is_loopback("unix:/tmp/s")
    assert not is_loopback("10.0.0.1:5") and not is_loopback("dns:///svc:5")


def test_tls_choice():
    assert not TLSOptions().use_tls(["127.0.0.1:1"])
    assert TLSOptions().use_tls(["127.0.0.1:1", "10.0.0.2:1"])
    assert not TLSOptions(insecure=True).use_tls(["10.0.0.2:1"])
    assert TLSOptions(ca_file="ca.pem").use_tls(["127.0.0.1:1"])
    with pytest.raises(ConfigError):
        TLSOptions(insecure=True, ca_file="ca.pem").use_tls(["127.0.0.1:1"])
    with pytest.raises(ConfigError):
        TLSOptions(cert_file="c.pem").use_tls(["10.0.0.2:1"])
    with pytest.raises(ConfigError, match="CA file"):
        StreamingDataset("10.0.0.2:1", batch_size=1, ca_file="/nonexistent/ca.pem")


def test_health_wire_format():
    # HealthCheckRequest{service}: field 1, length-delimited.
    assert encode_health_request("ab") == b"\x0a\x02ab"
    # HealthCheckResponse{status}: field 1, varint; unknown fields skipped.
    assert decode_health_status(b"\x08\x01") == 1
    assert decode_health_status(b"\x12\x01x\x08\x02") == 2
    assert decode_health_status(b"") == 0
    for bad in (b"\x08", b"\x12\x05ab", b"\x0b"):
        with pytest.raises(ValueError):
            decode_health_status(bad)


def test_rank_world_sources(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert rank_world() == (0, 1)
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("WORLD_SIZE", "4")
    assert rank_world() == (3, 4)
    assert rank_world(rank=1) == (1, 4)
    monkeypatch.setenv("RANK", "4")
    with pytest.raises(ConfigError):
        rank_world()
    monkeypatch.setenv("RANK", "x")
    with pytest.raises(ConfigError):
        rank_world()


def test_worker_streams_are_distinct_global_ranks():
    seen = set()
    for r in range(3):
        for w in range(4):
            s, g, gw = global_stream(r, 3, w, 4)
            assert (s, gw) == (w, 12)
            seen.add(g)
    assert seen == set(range(12))
    # the offset rotates streams among workers of one rank, not across
    # ranks; streams are numbered worker-major: stream s of rank r is s*3 + r
    assert [global_stream(1, 3, w, 4, offset=3)[1] for w in range(4)] == [10, 1, 4, 7]


def test_top_epoch_request_fits_uint64():
    import starlight_dataserver as sds
    top = (1 << 64) - 1
    ds = sds.StreamingDataset("127.0.0.1:1", batch_size=2, epoch=top)
    req = ds.request(0, 1)
    assert req.epoch == top and req.end_epoch == 0
    ds = sds.StreamingDataset("127.0.0.1:1", batch_size=2, epoch=top - 3, epochs=10)
    assert ds.request(0, 1).end_epoch == top
    ds = sds.StreamingDataset("127.0.0.1:1", batch_size=2, epoch=5, epochs=2)
    assert ds.request(0, 1).end_epoch == 7
