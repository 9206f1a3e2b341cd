#!/usr/bin/env python3
"""Measures what one trainer process gets from a data server: batches per
second, samples per second and the client's CPU time per batch, over cached
epochs (a first pass warms the server's cache and is not counted).

    dataserver serve --root ../shared/corpus/datasets &
    /usr/bin/python3 client/python/examples/throughput.py --addr 127.0.0.1:50051

With --workers N the batches come through a DataLoader with N worker
processes (the CPU figure is then the main process's only).
"""

import argparse
import sys
import time
from pathlib import Path

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
    a = ap.parse_args()

    ds = sds.StreamingDataset(a.addr, batch_size=a.batch_size, seed=1, epochs=1 << 20,
                              streams=a.streams.split(",") if a.streams else None,
                              pack_bit_planes=not a.unpacked, consumer="throughput")
    it = iter(ds.loader(num_workers=a.workers) if a.workers else ds)
    for _ in range(a.warm):
        next(it)
    samples = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(a.batches):
        samples += int(next(it)["label"].shape[0])
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"{a.batches} batches, {samples} samples in {wall:.2f}s: {a.batches / wall:.1f} batches/s, "
          f"{samples / wall:.0f} samples/s; client CPU {1000 * cpu / a.batches:.1f} ms per batch")


if __name__ == "__main__":
    main()
