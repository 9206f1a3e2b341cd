"""Splits and evaluation passes against a real server over the corpus:
every sample of val exactly once at world sizes 1, 2 and 3, counted by
content id and path; the evaluation loader beside a training dataset."""

import pytest

from _support import stats
from starlight_dataserver import ConfigError, StreamingDataset


def split_size(addr, name):
    return next(s.samples for s in stats(addr).splits if s.split == name)


@pytest.mark.parametrize("world", [1, 2, 3])
def test_evaluation_pass_serves_val_once(server, world):
    want = split_size(server.addr, "val")
    assert want > 0
    seen, counts, short = {}, [], 0
    for rank in range(world):
        ds = StreamingDataset(server.addr, batch_size=3, rank=rank, world_size=world, streams=["format"],
                              split="val", evaluation=True)
        n = 0
        for b in ds:
            assert b["split"] == "val"
            assert b["batches_per_epoch"] >= b["batch_index"] + 1
            short += len(b["paths"]) < 3
            n += 1
            for cid, path in zip(b["content_ids"], b["paths"]):
                seen[(cid, path)] = seen.get((cid, path), 0) + 1
        counts.append(n)
    assert len(seen) == want, f"{len(seen)} distinct samples, val has {want}"
    assert set(seen.values()) == {1}, "a sample came twice"
    assert max(counts) - min(counts) <= 1, counts
    assert short <= 1


def test_evaluation_loader_beside_training(server):
    train = StreamingDataset(server.addr, batch_size=4, mix=(0, 1, 0), streams=["format"], rank=0, world_size=1)
    ev = train.evaluation_dataset("val")
    assert (ev.split, ev.evaluation, ev.batch_size, ev.streams) == ("val", True, 4, ("format",))
    paths = [p for b in train.evaluation_loader("val") for p in b["paths"]]
    assert len(paths) == len(set(paths)) == split_size(server.addr, "val")
    # the training stream draws from train only: no val path in it
    trained = {p for b in train for p in b["paths"]}
    assert trained and not trained & set(paths)


def test_split_options():
    with pytest.raises(ConfigError):
        StreamingDataset("127.0.0.1:1", batch_size=4, split="dev")
    ds = StreamingDataset("127.0.0.1:1", batch_size=4, mix=(1, 2, 3), split="test", evaluation=True)
    req = ds.request(0, 1)
    assert req.split == "test" and req.evaluation and not req.HasField("mix")
    assert StreamingDataset("127.0.0.1:1", batch_size=4).request(0, 1).split == "train"
