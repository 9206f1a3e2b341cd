"""state_dict bookkeeping without a server: batches recorded by hand."""

import io

import pytest
import torch

from starlight_dataserver import StateError, StreamingDataset
from starlight_dataserver.state import Position


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
    (dict(class_balance=True), "class_balance"), (dict(pairing=True), "pairing"), (dict(augment=True), "augment"),
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


def test_elastic_cursor_counts_the_consumed_prefix():
    # rank r of 4 ranks with 2 workers delivered stream 1's batch 3 last:
    # every rank took 3*2 + 1 + 1 = 8 batches, 32 global batches in all
    p = Position(cursor="C", epoch=0, batch_index=3, batches_per_epoch=9)
    assert p.elastic_cursor(1, 2, 4) == "C.32"
    assert p.elastic_cursor(0, 1, 1) == "C.4"


def layout_batch(stream, workers, rank, ranks, epoch, index, per=5):
    b = batch(stream, workers, epoch, index, per)
    b.update(rank=stream * ranks + rank, world_size=ranks * workers, cursor=f"c{stream}-{rank}-{epoch}-{index}")
    return b


def test_another_layout_resumes_elastically():
    # saved by rank 1 of 4 ranks with 2 workers, after stream 0's batch 2
    old = ds(rank=1, world_size=4)
    for s, i in [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)]:
        old.record(layout_batch(s, 2, 1, 4, 0, i))
    st = roundtrip(old.state_dict())
    assert (st["rank"], st["world_size"], st["num_streams"], st["next_stream"]) == (1, 4, 2, 1)
    new = ds(rank=0, world_size=3)
    new.load_state_dict(st)  # another rank and world: accepted
    # the first batch of the new layout (2 streams) moves the state on; the
    # stream still without a position starts from the consumed prefix
    new.record(layout_batch(0, 2, 0, 3, 0, 0))
    assert new._elastic == ("c0-1-0-2.20", 0)  # 5 batches taken on each of 4 ranks
    st2 = roundtrip(new.state_dict())
    assert (st2["rank"], st2["world_size"], st2["num_streams"]) == (0, 3, 2)
    assert st2["elastic"] == ["c0-1-0-2.20", 0]
    again = ds(rank=0, world_size=3)
    again.load_state_dict(st2)
    assert again._elastic == ("c0-1-0-2.20", 0) and list(again._positions) == [0]
    again.record(layout_batch(1, 2, 0, 3, 0, 0))  # every stream has its own position now
    assert again._elastic is None


def test_version_1_states():
    a = ds()
    a.record(batch(0, 1, 0, 2))
    st = dict(a.state_dict(), version=1)
    del st["elastic"]
    ds().load_state_dict(st)  # no workers: the numberings agree
    st["num_streams"] = 2
    st["positions"] = {0: st["positions"][0], 1: st["positions"][0]}
    with pytest.raises(StateError, match="worker-major"):
        ds().load_state_dict(st)


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


def test_elastic_counts_from_the_last_batch_even_once_set_epoch_dropped_it():
    a = ds()
    for s, i in [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)]:  # stream 0 ends epoch 0 last
        a.record(batch(s, 2, 0, i, per=3))
    a.set_epoch(0)
    assert list(a._positions) == [1]
    assert a._elastic_of(a._positions) == ("c0-0-2.5", 0)  # 5 batches taken on the one rank
