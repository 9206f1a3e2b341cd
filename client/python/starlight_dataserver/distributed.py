"""Where this process sits among the trainers: its rank and world size, and
the stream a DataLoader worker reads."""

import os
from typing import Optional, Tuple

from .errors import ConfigError


def rank_world(rank: Optional[int] = None, world_size: Optional[int] = None) -> Tuple[int, int]:
    """Returns (rank, world size): the arguments when given, else
    torch.distributed's when a process group is initialised, else the RANK
    and WORLD_SIZE environment variables, else (0, 1)."""
    r, w = rank, world_size
    if r is None or w is None:
        dr, dw = _from_torch() or _from_env() or (0, 1)
        r = dr if r is None else r
        w = dw if w is None else w
    for name, v in (("rank", r), ("world_size", w)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ConfigError(f"{name}: {v!r} is not an integer")
    if w < 1 or not 0 <= r < w or w > (1 << 32) - 1:
        raise ConfigError(f"rank {r} and world size {w}: want 0 <= rank < world_size <= {(1 << 32) - 1}")
    return r, w


def _from_torch() -> Optional[Tuple[int, int]]:
    try:
        import torch.distributed as dist
    except ImportError:
        return None
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return None


def _from_env() -> Optional[Tuple[int, int]]:
    r, w = os.environ.get("RANK"), os.environ.get("WORLD_SIZE")
    if r is None and w is None:
        return None
    try:
        return int(r if r is not None else 0), int(w if w is not None else 1)
    except ValueError:
        raise ConfigError(f"RANK={r!r} WORLD_SIZE={w!r}: not integers") from None


def global_stream(rank: int, world: int, worker: int, workers: int, offset: int = 0) -> Tuple[int, int, int]:
    """Returns (stream, global rank, global world) of DataLoader worker
    ``worker`` of ``workers`` on ``rank`` of ``world``: the worker reads
    stream s = (worker + offset) % workers, which is global rank
    s * world + rank of world * workers. ``offset`` rotates the streams so a
    resumed loader's first worker reads the stream an uninterrupted run would
    have read next.

    Worker-major numbering makes the t-th batch a rank delivers (its streams
    taken round robin) global batch t * world + rank of the epoch: ranks in
    step have consumed a prefix of the epoch, which an elastic resume with
    another number of ranks or workers continues from."""
    if workers < 1 or not 0 <= worker < workers:
        raise ConfigError(f"worker {worker} of {workers}")
    s = (worker + offset) % workers
    gw = world * workers
    if gw > (1 << 32) - 1:
        raise ConfigError(f"world size {world} x {workers} workers does not fit a uint32")
    return s, s * world + rank, gw
