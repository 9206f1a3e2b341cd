"""A resumable StreamBatches call: it resumes by itself from the last cursor
on transient errors, failing over to the next replica, and checks that every
batch follows the previous one in the schedule."""

import time
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

import grpc

from ._proto import dataserver_pb2 as pb
from .errors import DiscontinuityError, StreamError
from .retry import RetryPolicy, is_transient, retry_delay
from .status import details_of
from .transport import Connection
from .wirebatch import WireBatch, decode


@dataclass(frozen=True)
class Place:
    """A batch's position in the schedule: epoch and batch index."""

    epoch: int
    batch: int


@dataclass(frozen=True)
class ResumeEvent:
    """One resumption of a stream after a transient error: the error, the
    number of consecutive failed attempts, the wait before the next one, the
    cursor it resumes from and the replica that failed."""

    error: BaseException
    attempt: int
    delay: float
    cursor: str
    peer: str


class BatchStream:
    """Reads the batches of one request in schedule order until its end
    (end_epoch, max_batches), resuming from the last cursor after transient
    errors (see is_transient) for the retry policy's window: after each
    failure it waits (backoff, or the server's retry delay), moves to the
    next replica and waits for one to answer SERVING. Iterate it once. ``expect`` is the place of the
    first batch when the request resumes from a cursor whose place is known."""

    def __init__(self, conn: Connection, request: "pb.StreamBatchesRequest",
                 retry: RetryPolicy = RetryPolicy(), expect: Optional[Place] = None,
                 on_resume: Optional[Callable[[ResumeEvent], None]] = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self._conn = conn
        self._req = pb.StreamBatchesRequest()
        self._req.CopyFrom(request)
        self._retry = retry
        self._on_resume = on_resume
        self._sleep = sleep
        self._clock = clock
        self.cursor = request.cursor
        self.delivered = 0
        self.resumes = 0
        self.end_epoch = request.end_epoch or request.epoch + 1
        self._want = expect
        self._started = False
        self._complete = expect is not None and expect.epoch >= self.end_epoch
        self._call = None

    def __iter__(self) -> Iterator[WireBatch]:
        failures, failing_since = 0, 0.0
        try:
            while True:
                mb = self._req.max_batches
                if self._complete or (mb and self.delivered >= mb):
                    return
                if self._call is None:
                    self._call = self._open()
                try:
                    msg = next(self._call)
                except StopIteration:
                    # The server ends a call early only with an error status,
                    # so a clean end means every batch was delivered; one
                    # before the schedule's end would silently lose batches.
                    if self._started and not (mb and self.delivered >= mb):
                        raise DiscontinuityError(
                            f"{self._conn.current} ended the stream cleanly before epoch {self._want.epoch} batch {self._want.batch} "
                            f"(end epoch {self.end_epoch}, cursor {self.cursor!r})") from None
                    return
                except grpc.RpcError as e:
                    self._cancel()
                    reason = _reason(e)
                    if not is_transient(e):
                        raise StreamError(f"stream from {self._conn.current} ended: {e.code().name}: {e.details()}",
                                          code=e.code(), cursor=self.cursor, reason=reason) from e
                    now = self._clock()
                    if failures == 0:
                        failing_since = now
                    failures += 1
                    peer = self._conn.current
                    d = max(self._retry.delay(failures), retry_delay(e) or 0.0)
                    deadline = failing_since + self._retry.window
                    spent = (self._retry.max_attempts and failures >= self._retry.max_attempts) or now + d > deadline

                    def give_up(why: str):
                        return StreamError(f"giving up after {failures} attempts in {now - failing_since:.1f}s (retry window {self._retry.window:g}s; "
                                           f"last replica {peer}, cursor {self.cursor!r}): {why}",
                                           code=e.code(), cursor=self.cursor, reason=reason)

                    if spent:
                        raise give_up(f"{e.code().name}: {e.details()}") from e
                    if self._on_resume is not None:
                        self._on_resume(ResumeEvent(e, failures, d, self.cursor, peer))
                    self._conn.fail_over()
                    self._sleep(d)
                    try:
                        self._conn.wait_ready(max(0.0, deadline - self._clock()))
                    except TimeoutError as t:
                        raise give_up(f"{t}; last stream error {e.code().name}: {e.details()}") from e
                    self.resumes += 1
                    continue
                msg = decode(msg)
                self._accept(msg)
                failures = 0
                yield msg
        finally:
            self._cancel()

    def _open(self):
        req = self._req
        if self._started:
            req = pb.StreamBatchesRequest()
            req.CopyFrom(self._req)
            req.cursor = self.cursor
            if self._req.max_batches:
                req.max_batches = self._req.max_batches - self.delivered
        return self._conn.stream_batches(req)

    def _cancel(self) -> None:
        if self._call is not None:
            self._call.cancel()
            self._call = None

    def _accept(self, m: WireBatch) -> None:
        got = Place(m.epoch, m.batch_index)
        if self._want is not None and got != self._want:
            raise DiscontinuityError(f"got epoch {got.epoch} batch {got.batch} from {self._conn.current}, "
                                     f"expected epoch {self._want.epoch} batch {self._want.batch}")
        per = m.batches_per_epoch
        if per == 0 or got.batch >= per or not m.cursor:
            raise DiscontinuityError(f"batch {got.batch} of {per} per epoch, cursor {m.cursor!r} from {self._conn.current}")
        self._started = True
        self.delivered += 1
        self.cursor = m.cursor
        nxt = Place(got.epoch, got.batch + 1)
        if nxt.batch == per:
            nxt = Place(got.epoch + 1, 0)
            self._complete = nxt.epoch >= self.end_epoch
        self._want = nxt


def _reason(err) -> str:
    d = details_of(err)
    return d.reason if d is not None else ""


def next_place(epoch: int, batch: int, per: int) -> Place:
    """The place right after batch of epoch, with per batches per epoch."""
    return Place(epoch + 1, 0) if batch + 1 >= per else Place(epoch, batch + 1)
