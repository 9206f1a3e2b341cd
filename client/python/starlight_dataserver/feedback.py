"""Loss feedback for hard-negative mining: ``Mining`` (the request option)
and ``LossReporter``, which sends each batch's per-sample losses to the
server's ReportLosses in the background, so the training loop never waits
on the network.

    reporter = LossReporter("127.0.0.1:50051", run="exp-42")
    ds = StreamingDataset(..., mining=Mining(run="exp-42", strength=4, first_epoch=1))
    for batch in loader:
        per_sample = F.binary_cross_entropy_with_logits(logit, label, reduction="none")
        reporter.report(batch, per_sample)          # queued; returns at once
        per_sample.mean().backward() ...
    reporter.close()                                # flushes what is queued
"""

import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Deque, List, Mapping, Optional, Sequence, Tuple, Union

import grpc

from ._proto import dataserver_pb2 as pb
from .errors import ConfigError
from .transport import Connection, TLSOptions

log = logging.getLogger("starlight_dataserver")

#: The kinds a Mining may name, by wire code.
_KINDS = {"clean": pb.KIND_CLEAN, "stego": pb.KIND_STEGO, "negative": pb.KIND_NEGATIVE}

#: Records per ReportLossesRequest message (the server takes at most 8192).
DEFAULT_BATCH_RECORDS = 4096


@dataclass(frozen=True)
class Mining:
    """Hard-sample mining of a StreamingDataset: from ``first_epoch`` on,
    epoch e draws the mined ``kinds`` with probabilities rising with the loss
    summary ``run`` reported, frozen when epoch e starts; no sample is drawn
    more than ``strength`` times as often as another (0: the server's
    default, 4)."""

    run: str
    kinds: Tuple[str, ...] = ("negative",)
    strength: float = 0.0
    first_epoch: int = 1

    def __post_init__(self):
        _check_run(self.run)
        if isinstance(self.kinds, str):
            object.__setattr__(self, "kinds", (self.kinds,))
        for k in self.kinds:
            if k not in _KINDS:
                raise ConfigError(f"mining kind {k!r} is not one of {', '.join(_KINDS)}")
        s = float(self.strength)
        if not (s == 0 or 1 <= s <= 1000):
            raise ConfigError(f"mining strength {self.strength!r} outside 1..1000 (0: the default 4)")
        if not isinstance(self.first_epoch, int) or self.first_epoch < 0:
            raise ConfigError(f"mining first_epoch {self.first_epoch!r} is not an epoch")

    def to_proto(self) -> "pb.Mining":
        """Returns the wire message."""
        return pb.Mining(run=self.run, kinds=[_KINDS[k] for k in self.kinds], strength=float(self.strength),
                         first_epoch=self.first_epoch)


def _check_run(run) -> None:
    if not isinstance(run, str) or not run or len(run.encode()) > 64 or any(ord(c) < 32 for c in run):
        raise ConfigError(f"run name {run!r}: want 1 to 64 bytes without control characters")


def _floats(values, n: int, what: str) -> List[float]:
    """A batch's per-sample values as a list of n floats (a tensor, array or sequence)."""
    if hasattr(values, "detach"):
        values = values.detach().reshape(-1).float().cpu().tolist()
    elif hasattr(values, "tolist"):
        values = values.reshape(-1).tolist()
    values = [float(v) for v in values]
    if len(values) != n:
        raise ConfigError(f"{len(values)} {what} for a batch of {n} samples")
    return values


class LossReporter:
    """Reports per-sample losses of a run to ReportLosses from a background
    thread.

    ``report(batch, losses)`` only queues the batch's content ids, epoch and
    losses and returns: the thread sends what is queued every
    ``flush_interval`` seconds (or as soon as ``batch_records`` records wait),
    as one ReportLosses call of messages of ``batch_records`` records. The
    queue holds at most ``max_queue`` records; a batch that does not fit is
    dropped and counted in ``dropped`` (the loop never blocks). A failed call
    is logged, its records counted in ``failed`` and not sent again (the next
    call tries the next replica). ``flush()`` waits for the queue to drain,
    ``close()`` flushes and stops; ``accepted`` and ``rejected`` are the
    server's counts.

    Connection arguments are those of StreamingDataset (addresses, token,
    tls, ca_file, cert_file, key_file, server_name, insecure), or an open
    ``connection``.
    """

    def __init__(self, addresses: Union[str, Sequence[str], None] = None, *, run: str,
                 token: Optional[str] = None, tls: Optional[bool] = None, ca_file: Optional[str] = None,
                 cert_file: Optional[str] = None, key_file: Optional[str] = None,
                 server_name: Optional[str] = None, insecure: bool = False,
                 connection: Optional[Connection] = None, max_queue: int = 1 << 16,
                 batch_records: int = DEFAULT_BATCH_RECORDS, flush_interval: float = 1.0,
                 timeout: float = 30.0):
        _check_run(run)
        if not 1 <= int(batch_records) <= 8192:
            raise ConfigError(f"batch_records {batch_records} outside 1..8192")
        if int(max_queue) < 1 or not flush_interval > 0:
            raise ConfigError("max_queue must be positive and flush_interval above 0")
        if connection is None:
            if addresses is None:
                raise ConfigError("LossReporter needs addresses or a connection")
            connection = Connection(addresses, token=token, tls=TLSOptions(
                enabled=tls, ca_file=ca_file, cert_file=cert_file, key_file=key_file,
                server_name=server_name, insecure=insecure))
            self._own = True
        else:
            self._own = False
        self.run = run
        self._conn = connection
        self._max_queue = int(max_queue)
        self._batch = int(batch_records)
        self._interval = float(flush_interval)
        self._timeout = float(timeout)
        self._cv = threading.Condition()
        self._queue: Deque[Tuple[List[str], int, List[float], Optional[List[float]]]] = deque()
        self._queued = 0
        self._inflight = 0
        self._closing = False
        self._urgent = False
        #: Records queued, dropped because the queue was full, lost to failed
        #: calls, and the server's accepted and rejected counts.
        self.queued_total = 0
        self.dropped = 0
        self.failed = 0
        self.accepted = 0
        self.rejected = 0
        self._thread = threading.Thread(target=self._run, name=f"LossReporter({run})", daemon=True)
        self._thread.start()

    def report(self, batch: Mapping[str, object], losses, probabilities=None) -> int:
        """Queues one batch's per-sample losses (a tensor or sequence of
        ``len(batch["content_ids"])`` values, the batch's own order) and,
        optionally, its predicted stego probabilities. Returns the records
        queued: 0 when the queue was full (counted in ``dropped``)."""
        ids = list(batch["content_ids"])
        n = len(ids)
        vals = _floats(losses, n, "losses")
        probs = None if probabilities is None else _floats(probabilities, n, "probabilities")
        epoch = int(batch["epoch"])
        with self._cv:
            if self._closing:
                raise ConfigError("LossReporter is closed")
            if self._queued + n > self._max_queue:
                self.dropped += n
                return 0
            self._queue.append((ids, epoch, vals, probs))
            self._queued += n
            self.queued_total += n
            if self._queued >= self._batch:
                self._cv.notify_all()
        return n

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued now and waits until it has been answered (or
        failed). Returns False when timeout seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            self._urgent = True
            self._cv.notify_all()
            while self._queued or self._inflight:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cv.wait(left if left is not None else 0.5)
                self._cv.notify_all()
        return True

    def close(self, timeout: Optional[float] = 30.0) -> None:
        """Flushes, stops the thread and closes the connection it opened."""
        self.flush(timeout)
        with self._cv:
            self._closing = True
            self._cv.notify_all()
        self._thread.join(timeout)
        if self._own:
            self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the background thread -------------------------------------------------

    def _take(self):
        """Waits for records (or closing) and takes all queued."""
        with self._cv:
            deadline = time.monotonic() + self._interval
            while not self._closing and self._queued < self._batch:
                left = deadline - time.monotonic()
                if (left <= 0 or self._urgent) and self._queued:
                    break
                if left <= 0:
                    deadline = time.monotonic() + self._interval
                    left = self._interval
                self._cv.wait(left)
            self._urgent = False
            items = list(self._queue)
            self._queue.clear()
            n = self._queued
            self._inflight, self._queued = n, 0
            return items, n

    def _messages(self, items):
        recs = []
        for ids, epoch, vals, probs in items:
            for i, cid in enumerate(ids):
                # A loss that is not finite is sent as -1, which the server rejects (and counts).
                r = pb.LossRecord(content_id=cid, epoch=epoch, loss=vals[i] if math.isfinite(vals[i]) else -1.0)
                if probs is not None:
                    r.probability = probs[i]
                recs.append(r)
                if len(recs) == self._batch:
                    yield pb.ReportLossesRequest(run=self.run, records=recs)
                    recs = []
        if recs:
            yield pb.ReportLossesRequest(run=self.run, records=recs)

    def _run(self) -> None:
        while True:
            items, n = self._take()
            if n:
                try:
                    resp = self._conn.stub().ReportLosses(self._messages(items), timeout=self._timeout,
                                                           metadata=self._conn.metadata)
                    with self._cv:
                        self.accepted += resp.accepted
                        self.rejected += resp.rejected
                except grpc.RpcError as e:
                    log.warning("loss report of %d records failed: %s: %s", n, e.code().name, e.details())
                    with self._cv:
                        self.failed += n
                    if e.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                        self._conn.fail_over()
            with self._cv:
                self._inflight = 0
                self._cv.notify_all()
                if self._closing and not self._queued:
                    return
