"""Streams resume by themselves from the last cursor when a replica is
unreachable or dies, on the next address, without losing or repeating a batch."""

from conftest import free_port
from starlight_dataserver import RetryPolicy, StreamingDataset

OPTS = dict(batch_size=4, seed=13, mix=(0, 0, 1), streams=["format"], epochs=2, rank=0, world_size=1)
FAST = RetryPolicy(max_attempts=6, base_delay=0.05, max_delay=0.2)


# A stream far longer than what gRPC buffers (about 33 MB of pixel batches),
# so the replica killed after two batches is killed mid-stream even though
# its streams are cached from start-up.
LONG = dict(OPTS, streams=["pixel"], epochs=6)


def key(b):
    return (b["epoch"], b["batch_index"], tuple(b["paths"]),
            b["pixel" if "pixel" in b else "format"].numpy().tobytes())


def test_unreachable_first_address_fails_over(server):
    want = [key(b) for b in StreamingDataset(server.addr, **OPTS)]
    events = []
    dead = f"127.0.0.1:{free_port()}"
    ds = StreamingDataset([dead, server.addr], ready_timeout=None, retry=FAST, on_resume=events.append, **OPTS)
    got = [key(b) for b in ds]
    assert got == want
    assert events and events[0].peer == dead and events[0].cursor == ""


def test_replica_killed_mid_stream(server, start_server):
    want = [key(b) for b in StreamingDataset(server.addr, **LONG)]
    a, b = start_server(), start_server()
    events = []
    ds = StreamingDataset([a.addr, b.addr], ready_timeout=None, retry=FAST, on_resume=events.append, **LONG)
    got = []
    for batch in ds:
        got.append(key(batch))
        if len(got) == 2:
            a.stop(kill=True)
    assert got == want, "the stream lost or repeated batches across the fail-over"
    assert len(events) >= 1 and events[0].peer == a.addr and events[0].cursor
    assert ds.state_dict()["positions"][0]["cursor"]
