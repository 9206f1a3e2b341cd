"""Output arrays reused from batch to batch.

A float32 batch of 32 at full resolution is some 70 MB of new memory; the
allocator hands such blocks out fresh from the kernel, which faults and
zeroes every page before the conversion writes it (measured through a
server: 9 % fewer samples/s, `examples/throughput.py --no-reuse`). A
BufferPool keeps the arrays of the last few batches
and hands one out again once nothing outside the pool refers to it any
more: the batch dict, its tensors (torch.from_numpy holds the array) and
every view of them dropped. An array still referred to anywhere is never
handed out, so a batch the caller keeps stays as it was."""

import sys
import threading
from typing import Dict, List, Tuple

import numpy as np


def _baseline() -> int:
    # The reference count a tracked array has when only the pool holds it,
    # as _count reads it in BufferPool.empty: measured once on this
    # interpreter instead of assumed (it depends on how the interpreter
    # counts borrowed references).
    probe = [np.empty(1, dtype=np.uint8)]
    return _count(probe, 0)


def _count(arrays: List[np.ndarray], i: int) -> int:
    return sys.getrefcount(arrays[i])


class BufferPool:
    """Hands out uninitialised arrays (like numpy.empty), reusing one of an
    earlier batch when no one else refers to it. At most ``keep`` arrays of
    each shape and dtype are tracked; past that, arrays are new and left to
    the garbage collector. Safe to call from several threads."""

    def __init__(self, keep: int = 8):
        if keep < 0:
            raise ValueError(f"keep {keep}: want >= 0")
        self.keep = keep
        self._arrays: Dict[Tuple[Tuple[int, ...], str], List[np.ndarray]] = {}
        self._lock = threading.Lock()
        self._free_count = _baseline()

    def empty(self, shape: Tuple[int, ...], dtype) -> np.ndarray:
        """An array of shape and dtype whose values are to be written in full."""
        dt = np.dtype(dtype)
        key = (tuple(shape), dt.str)
        with self._lock:
            arrays = self._arrays.setdefault(key, [])
            for i in range(len(arrays)):
                if _count(arrays, i) == self._free_count:
                    return arrays[i]
            a = np.empty(shape, dtype=dt)
            if len(arrays) < self.keep:
                arrays.append(a)
            return a
