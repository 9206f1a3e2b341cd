"""Every served sample of ../shared/corpus against the reference digests of
expected.jsonl: the float tensors are exactly the reference's value/255 (or
0/1), so a model trained on the reference sees the same inputs."""

from collections import defaultdict

from _support import alpha_full_u8, load_expected, sha, stats, to_u8
from conftest import corpus_or_skip
from starlight_dataserver import StreamingDataset

U8_STREAMS = ("pixel", "meta", "alpha", "lsb", "palette", "palette_lsb")


def every_sample_once(addr, **kw):
    """Yields the batches of an evaluation pass over every split: every
    served sample once (byte-identical copies once)."""
    yield from StreamingDataset(addr, batch_size=8, rank=0, world_size=1, split="all", evaluation=True, **kw)


def report(mismatch, total):
    lines = [f"{len(v)} of {total} samples differ in {k}: " + ", ".join(sorted(v)[:8]) + (" ..." if len(v) > 8 else "")
             for k, v in sorted(mismatch.items())]
    return "\n".join(lines)


def test_every_stream_matches_the_reference(server):
    expected = load_expected(corpus_or_skip())
    served = sum(s.samples for s in stats(server.addr).splits)
    mismatch = defaultdict(set)
    seen = set()
    for b in every_sample_once(server.addr):
        u8 = {k: to_u8(k, b[k]) for k in U8_STREAMS}  # also checks exact v/255 and 0/1
        for i, path in enumerate(b["paths"]):
            seen.add(path)
            ref = expected.get(path)
            if ref is None:
                mismatch["(not in expected.jsonl)"].add(path)
                continue
            for k in U8_STREAMS:
                if sha(u8[k][i]) != ref["streams"][k]:
                    mismatch[k].add(path)
            for k in ("format", "content"):
                got = b[k][i].tolist()
                if any(abs(a - e) > 1e-6 for a, e in zip(got, ref["streams"][k])) or len(got) != len(ref["streams"][k]):
                    mismatch[k].add(path)
    assert len(seen) == served, f"{len(seen)} distinct samples streamed, the server serves {served}"
    assert not mismatch, f"streams differ from expected.jsonl over {len(seen)} samples:\n{report(mismatch, len(seen))}"


def test_two_alpha_channels_match_the_reference(server):
    """alpha_channels=2: channel 1 (alpha & 1) is the reference alpha plane,
    channel 0 is alpha/255 of the same crop."""
    expected = load_expected(corpus_or_skip())
    mismatch = defaultdict(set)
    n = 0
    for b in every_sample_once(server.addr, streams=["alpha"], alpha_channels=2):
        full = alpha_full_u8(b["alpha"])
        for i, path in enumerate(b["paths"]):
            n += 1
            ref = expected.get(path)
            if ref is None or sha(full[i] & 1) != ref["streams"]["alpha"]:
                mismatch["alpha"].add(path)
            if ref is not None and ref["mode"] != "RGBA" and full[i].any():
                mismatch["alpha_full (not zero on a non-RGBA image)"].add(path)
    assert n > 0
    assert not mismatch, report(mismatch, n)
