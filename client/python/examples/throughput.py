#!/usr/bin/env python3
"""Measures what one trainer process gets from a data server: batches per
second, samples per second and the client's CPU time per batch, over cached
epochs (a first pass warms the server's cache and is not counted).

    dataserver serve --root ../shared/corpus/datasets &
    /usr/bin/python3 client/python/examples/throughput.py --addr 127.0.0.1:50051

With --workers N the batches come through a DataLoader with N worker
processes (the CPU figure is then the main process's only).

Two modes take the path apart: --receive-only reads the messages as the
client does (gRPC, the split into header and tensor views, the schedule
checks) and converts nothing; --convert-only receives --warm messages once
and then converts them over and over in this thread, nothing received, so
its CPU per batch is the conversion's alone.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

try:
    import starlight_dataserver as sds
except ImportError:  # run from the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import starlight_dataserver as sds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--addr", default="127.0.0.1:50051")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--batches", type=int, default=300, help="batches measured")
    ap.add_argument("--warm", type=int, default=20, help="batches read first, not measured")
    ap.add_argument("--workers", type=int, default=0, help="DataLoader worker processes (0: iterate in this process)")
    ap.add_argument("--streams", default="", help="comma-separated stream names (default: all)")
    ap.add_argument("--unpacked", action="store_true", help="0/1 planes one byte per value on the wire")
    ap.add_argument("--dtype", default="float32", choices=("float32", "uint8"),
                    help="float32 model inputs, or uint8 values to normalise on the device")
    ap.add_argument("--prefetch", type=int, default=2, help="batches converted ahead in background threads (0: none)")
    ap.add_argument("--convert-threads", type=int, default=2, help="threads converting batches beside the receiving one (0: it converts too)")
    ap.add_argument("--receive-only", action="store_true", help="receive and split the messages, convert nothing")
    ap.add_argument("--convert-only", action="store_true", help="convert --warm messages received once, again and again")
    ap.add_argument("--no-reuse", action="store_true",
                    help="new arrays for every batch instead of reusing those of dropped batches (BufferPool)")
    a = ap.parse_args()

    ds = sds.StreamingDataset(a.addr, batch_size=a.batch_size, seed=1, epochs=1 << 20,
                              streams=a.streams.split(",") if a.streams else None,
                              pack_bit_planes=not a.unpacked, consumer="throughput", dtype=a.dtype,
                              prefetch=a.prefetch, convert_threads=a.convert_threads)
    ds.reuse_arrays = not a.no_reuse
    if a.receive_only or a.convert_only:
        stream = iter(sds.BatchStream(ds.connect(), ds.request(0, 1)))
        if a.receive_only:
            it = ({"label": m.labels} for m in stream)
        else:
            held = [next(stream) for _ in range(max(1, a.warm))]
            it = converted(held, ds, a.dtype, None if a.no_reuse else sds.BufferPool(keep=16))
    else:
        it = iter(ds.loader(num_workers=a.workers) if a.workers else ds)
    for _ in range(a.warm):
        next(it)
    samples = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(a.batches):
        samples += len(next(it)["label"])
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"{a.batches} batches, {samples} samples in {wall:.2f}s: {a.batches / wall:.1f} batches/s, "
          f"{samples / wall:.0f} samples/s; client CPU {1000 * cpu / a.batches:.1f} ms per batch")


def converted(held, ds, dtype, pool):
    """Converts the held messages in turn, forever, keeping the last three
    batches alive as a loop with prefetch=2 does."""
    alive = []
    alloc = pool.empty if pool is not None else np.empty
    for i in range(1 << 62):
        b = sds.to_batch(held[i % len(held)], ds.streams, ds.alpha_channels, dtype, alloc)
        alive = alive[-2:] + [b]
        yield b


if __name__ == "__main__":
    main()
