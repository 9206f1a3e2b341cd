"""state_dict bookkeeping without a server: batches recorded by hand."""

import io

import pytest
import torch

from starlight_dataserver import StateError, StreamingDataset


def ds(**kw):
    kw.setdefault("batch_size", 4)
    kw.setdefault("seed", 3)
    kw.setdefault("rank", 0)
    kw.setdefault("world_size", 1)
    return StreamingDataset("127.0.0.1:1", **kw)


def batch(stream, workers, epoch, index, per=5):
    return {"stream": stream, "num_streams": workers, "cursor": f"c{stream}-{epoch}-{index}", "epoch": epoch,
            "batch_index": index, "batches_per_epoch": per, "snapshot_id": "snap"}


def roundtrip(state):
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    return torch.load(buf)


def test_record_and_reload():
    a = ds()
    for i, (s, b) in enumerate([(0, 0), (1, 0), (0, 1)]):
        a.record(batch(s, 2, 0, b))
    st = a.state_dict()
    assert st["num_streams"] == 2 and st["next_stream"] == 1
    assert st["positions"][0]["cursor"] == "c0-0-1" and st["positions"][1]["cursor"] == "c1-0-0"
    b = ds()
    b.load_state_dict(roundtrip(st))
    assert b.state_dict() == st
    # the next loader's worker 0 reads stream 1: the stream an uninterrupted run would deliver next
    assert b._next_stream == 1


def test_record_twice_is_harmless():
    a = ds()
    a.record(batch(0, 1, 0, 2))
    a.record(batch(0, 1, 0, 2))
    assert a.state_dict()["positions"] == {0: {"cursor": "c0-0-2", "epoch": 0, "batch_index": 2,
                                               "batches_per_epoch": 5, "snapshot_id": "snap"}}


@pytest.mark.parametrize("change, msg", [
    (dict(seed=4), "seed"), (dict(batch_size=8), "batch_size"), (dict(mix=(2, 1, 1)), "mix"),
    (dict(class_balance=True), "class_balance"), (dict(rank=1, world_size=2), "rank"),
])
def test_state_of_another_request_is_refused(change, msg):
    a = ds()
    a.record(batch(0, 1, 0, 2))
    with pytest.raises(StateError, match=msg):
        ds(**change).load_state_dict(a.state_dict())


def test_malformed_state_is_refused():
    good = ds()
    good.record(batch(0, 1, 0, 2))
    st = good.state_dict()
    for bad in [None, {}, dict(st, version=9), dict(st, positions={5: st["positions"][0]}),
                dict(st, positions={0: dict(st["positions"][0], batch_index=5)}),
                dict(st, positions={0: dict(st["positions"][0], cursor="")})]:
        with pytest.raises(StateError):
            ds().load_state_dict(bad)


def test_worker_count_must_match(monkeypatch):
    a = ds()
    a.record(batch(0, 2, 0, 1))
    with pytest.raises(StateError, match="2 DataLoader workers"):
        iter(a)  # this process is not a DataLoader worker: 1 stream


def test_set_epoch_keeps_only_positions_inside_the_epochs():
    a = ds()
    a.record(batch(0, 2, 1, 2))  # resumes inside epoch 1
    a.record(batch(1, 2, 0, 4))  # end of epoch 0: resumes at the start of epoch 1
    a.set_epoch(1)
    assert list(a._positions) == [0]
    a.set_epoch(2)
    assert a._positions == {} and a._next_stream == 0


def test_iteration_after_the_last_batch_moves_to_the_next_epochs():
    a = ds(epoch=0, epochs=2)
    a.record(batch(0, 1, 1, 4))  # the last batch of epoch 1
    a._advance_if_done()
    assert (a.epoch, a.end_epoch, a._positions) == (2, 4, {})
    a.record(batch(0, 1, 2, 1))  # in the middle: stays
    a._advance_if_done()
    assert a.epoch == 2 and 0 in a._positions
