"""Receiving and converting batches in background threads, a bounded number
ahead of the training loop. gRPC's reads and the numpy conversions release
the GIL for most of their time, so the training step of the main thread,
the receive of the next message and the conversion of the ones before it
run at once, on as many cores as there are."""

import queue
import threading
from typing import Callable, Iterator, List, Optional, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_END = object()


class _Raised:
    """An exception of a background thread, to raise in the reader's."""

    def __init__(self, exc: BaseException):
        self.exc = exc


class Pipeline(Iterator[R]):
    """Iterates source in a daemon thread and applies convert to each item
    in ``workers`` more (0: in the same thread), delivering the results in
    the source's order, at most about depth ahead of the reader. Errors of
    the source or of convert are raised in the reader's thread, in order (the
    items before them are delivered first). close() stops the threads;
    whoever feeds the source (e.g. a gRPC call) must be ended too when the
    receiving thread may be blocked inside it.

    In flight at most: one item being received, per worker one waiting and
    one being converted, and depth converted (rounded up to a multiple of
    workers)."""

    def __init__(self, source: Iterator[T], depth: int, convert: Optional[Callable[[T], R]] = None,
                 workers: int = 0, name: str = "starlight-prefetch"):
        if depth < 1:
            raise ValueError(f"prefetch depth {depth}: want >= 1")
        if workers < 0:
            raise ValueError(f"workers {workers}: want >= 0")
        self._stop = threading.Event()
        self._done = False
        self._next = 0
        n = max(1, workers)
        per = -(-depth // n)
        self._out: List["queue.Queue[object]"] = [queue.Queue(maxsize=per) for _ in range(n)]
        self._threads: List[threading.Thread] = []
        if workers == 0:
            self._threads.append(threading.Thread(target=self._receive, args=(source, convert, self._out),
                                                  name=name, daemon=True))
        else:
            inq: List["queue.Queue[object]"] = [queue.Queue(maxsize=1) for _ in range(n)]
            self._threads.append(threading.Thread(target=self._receive, args=(source, None, inq),
                                                  name=name, daemon=True))
            for k in range(n):
                self._threads.append(threading.Thread(target=self._convert, args=(convert, inq[k], self._out[k]),
                                                      name=f"{name}-convert-{k}", daemon=True))
        for t in self._threads:
            t.start()

    def _put(self, q: "queue.Queue[object]", item: object) -> bool:
        while not self._stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _get(self, q: "queue.Queue[object]") -> object:
        while not self._stop.is_set():
            try:
                return q.get(timeout=0.1)
            except queue.Empty:
                continue
        return _END

    def _receive(self, source: Iterator[T], convert: Optional[Callable[[T], R]], out: List["queue.Queue[object]"]) -> None:
        # Item i goes to queue i mod len(out); after the last, the end (or
        # the error) goes to the queue the reader looks at next.
        i = 0
        try:
            try:
                for item in source:
                    if not self._put(out[i % len(out)], convert(item) if convert is not None else item):
                        return
                    i += 1
                last: object = _END
            except BaseException as e:  # handed to the reader, never dropped
                last = _Raised(e)
            for k in range(len(out)):  # the other workers end too
                self._put(out[(i + k) % len(out)], last if k == 0 else _END)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def _convert(self, convert: Callable[[T], R], inq: "queue.Queue[object]", outq: "queue.Queue[object]") -> None:
        while True:
            item = self._get(inq)
            if item is _END or isinstance(item, _Raised):
                self._put(outq, item)
                return
            try:
                item = convert(item)
            except BaseException as e:  # handed to the reader, never dropped
                self._put(outq, _Raised(e))
                return
            if not self._put(outq, item):
                return

    def __iter__(self) -> "Pipeline[R]":
        return self

    def __next__(self) -> R:
        if self._done:
            raise StopIteration
        q = self._out[self._next % len(self._out)]
        item = q.get()
        if item is _END:
            self._done = True
            raise StopIteration
        if isinstance(item, _Raised):
            self._done = True
            raise item.exc
        self._next += 1
        return item  # type: ignore[return-value]

    def stop(self) -> None:
        """Asks the threads to stop at their next item (close() also waits for them)."""
        self._stop.set()

    def close(self, timeout: Optional[float] = 5.0) -> None:
        """Stops the threads and drops what they had fetched ahead."""
        self._stop.set()
        self._done = True
        for q in self._out:
            while True:
                try:
                    q.get_nowait()
                except queue.Empty:
                    break
        for t in self._threads:
            t.join(timeout)

    @property
    def threads(self) -> List[threading.Thread]:
        """The background threads (the receiving one first)."""
        return list(self._threads)
