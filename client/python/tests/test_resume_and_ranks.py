"""Checkpoints resume the stream exactly, with and without DataLoader
workers; ranks and workers read disjoint parts of the schedule."""

import io

import pytest
import torch
from torch.utils.data import DataLoader

from _support import accepted_by_kind, sha
from starlight_dataserver import KIND_STEGO, StreamingDataset

OPTS = dict(batch_size=4, seed=7, mix=(0, 0, 1), streams=["lsb", "format"], epochs=2)


def key(b):
    """What identifies a batch: its place, its samples and their values."""
    lsb = b["lsb"].to(torch.uint8).numpy()
    fmt = b["format"].numpy()
    return (b["epoch"], b["batch_index"], b["rank"],
            tuple((p, c, sha(lsb[i]), sha(fmt[i])) for i, (p, c) in enumerate(zip(b["paths"], b["content_ids"]))))


def roundtrip(state):
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    return torch.load(buf)


def run(addr, workers, stop=None, state=None, **kw):
    ds = StreamingDataset(addr, rank=0, world_size=1, **dict(OPTS, **kw))
    if state is not None:
        ds.load_state_dict(state)
    out = []
    it = iter(ds.loader(num_workers=workers))
    try:
        for b in it:
            out.append(key(b))
            if stop is not None and len(out) == stop:
                return out, roundtrip(ds.state_dict())
    finally:
        it.close()
    return out, ds.state_dict()


@pytest.mark.parametrize("workers, stops", [(0, (3, 7, 9)), (2, (3, 4))])
def test_state_dict_resumes_exactly(server, workers, stops):
    whole, _ = run(server.addr, workers)
    assert len(whole) >= 8 and len({b[0] for b in whole}) == 2, "two epochs expected"
    for stop in stops:
        head, state = run(server.addr, workers, stop=stop)
        assert head == whole[:stop]
        tail, _ = run(server.addr, workers, state=state)
        assert head + tail == whole, f"resumed after {stop} batches with {workers} workers: the stream differs"


ELASTIC = dict(batch_size=5, seed=9, mix=(0, 2, 1), pairing=True, augment=True, streams=["format"], epochs=1)


def placed(batches, base, ranks):
    """The samples of batches by global place (global batch, place in it),
    from outside: a rank's batch b is global batch base + b*world + rank."""
    out = {}
    for b in batches:
        g = base + b["batch_index"] * b["world_size"] + b["rank"]
        pairs, transforms = b["pair_index"].tolist(), b["transforms"].tolist()
        for j, cid in enumerate(b["content_ids"]):
            assert (g, j) not in out, f"global batch {g} place {j} served twice"
            out[(g, j)] = (cid, pairs[j], transforms[j])
    return out


@pytest.mark.parametrize("workers_from, workers_to", [(2, 1), (2, 0)])
def test_elastic_resume_with_another_worker_count(server, workers_from, workers_to):
    """Workers 2 -> 1 (and 2 -> in-process) at random cut points: the batches
    before the cut and after the resume, placed by global position, are the
    uninterrupted epoch, pairs and transforms included."""
    import random
    whole = list(StreamingDataset(server.addr, rank=0, world_size=1, **ELASTIC))
    want = placed(whole, 0, 1)
    n = len(whole)
    assert n >= 6 and any(p >= 0 for b in whole for p in b["pair_index"].tolist())
    rng = random.Random(3)
    for stop in sorted(rng.sample(range(1, n - 1), 3)):
        ds = StreamingDataset(server.addr, rank=0, world_size=1, **ELASTIC)
        head = []
        it = iter(ds.loader(num_workers=workers_from))
        try:
            for b in it:
                head.append(b)
                if len(head) == stop:
                    break
        finally:
            it.close()
        state = roundtrip(ds.state_dict())
        resumed = StreamingDataset(server.addr, rank=0, world_size=1, **ELASTIC)
        resumed.load_state_dict(state)
        tail = list(resumed.loader(num_workers=workers_to))
        got = placed(head, 0, 1)
        for k, v in placed(tail, stop, 1).items():
            assert k not in got, f"cut after {stop}: global batch {k[0]} place {k[1]} served twice"
            got[k] = v
        inside = {k: v for k, v in got.items() if k[0] < n}
        assert inside == want, f"cut after {stop} batches, {workers_from} -> {workers_to} workers: the epoch differs"
        assert len(got) - len(inside) < 3 * ELASTIC["batch_size"], "more padding than the last row"


def test_plain_dataloader_in_process_records_by_itself(server):
    ds = StreamingDataset(server.addr, rank=0, world_size=1, **OPTS)
    it = iter(DataLoader(ds, batch_size=None))
    first = [key(next(it)) for _ in range(2)]
    state = ds.state_dict()
    whole, _ = run(server.addr, 0)
    assert first == whole[:2]
    tail, _ = run(server.addr, 0, state=state)
    assert first + tail == whole


def test_iterating_again_continues_with_the_next_epochs(server):
    ds = StreamingDataset(server.addr, rank=0, world_size=1, **dict(OPTS, epochs=1))
    first = [key(b) for b in ds]
    second = [key(b) for b in ds]
    assert {k[0] for k in first} == {0} and {k[0] for k in second} == {1}
    fresh = [key(b) for b in StreamingDataset(server.addr, rank=0, world_size=1, **dict(OPTS, epoch=1, epochs=1))]
    assert second == fresh


def pick_batch_size(n, streams):
    for bs in (8, 6, 4, 3, 2, 1):
        if n % (bs * streams) == 0:
            return bs
    return 1


def test_ranks_and_workers_see_disjoint_samples(server, monkeypatch):
    """Two ranks with two DataLoader workers each: four streams that split
    one epoch of the stego pool, which a stego-only mix covers exactly once."""
    n = accepted_by_kind(server.addr)[KIND_STEGO]
    bs = pick_batch_size(n, 4)
    seen = {}
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))  # rank and world size from the environment
        monkeypatch.setenv("WORLD_SIZE", "2")
        ds = StreamingDataset(server.addr, batch_size=bs, seed=5, mix=(0, 1, 0), streams=["format"])
        assert ds.rank_world() == (rank, 2)
        for b in ds.loader(num_workers=2):
            assert b["world_size"] == 4 and b["rank"] % 2 == rank  # worker-major: stream s is s*2 + rank
            seen.setdefault(b["rank"], []).extend(b["paths"])
    assert sorted(seen) == [0, 1, 2, 3]
    total = [p for paths in seen.values() for p in paths]
    if n % (bs * 4) == 0:
        assert len(total) == n == len(set(total)), "the four streams overlap"
    else:  # the epoch is padded with a few draws of the next cycle
        assert len(set(total)) == n
    for a in seen:
        for b in seen:
            if a < b:
                overlap = set(seen[a]) & set(seen[b])
                assert n % (bs * 4) != 0 or not overlap, f"global ranks {a} and {b} share {sorted(overlap)[:3]}"
