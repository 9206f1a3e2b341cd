"""Receiving and converting batches in a background thread, a bounded number
ahead of the training loop: the protobuf parse, the numpy conversions and
gRPC's reads release the GIL for most of their time, so the training step of
the main thread overlaps them."""

import queue
import threading
from typing import Iterator, Optional, TypeVar

T = TypeVar("T")

_END = object()


class _Raised:
    """An exception of the background thread, to raise in the reader's."""

    def __init__(self, exc: BaseException):
        self.exc = exc


class Background(Iterator[T]):
    """Iterates source in a daemon thread, at most depth items ahead of the
    reader. Errors of the source are raised in the reader's thread, in order
    (the items before them are delivered first). close() stops the thread;
    whoever feeds the source (e.g. a gRPC call) must be ended too when the
    thread may be blocked inside it."""

    def __init__(self, source: Iterator[T], depth: int, name: str = "starlight-prefetch"):
        if depth < 1:
            raise ValueError(f"prefetch depth {depth}: want >= 1")
        self._q: "queue.Queue[object]" = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(source,), name=name, daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, source: Iterator[T]) -> None:
        try:
            for item in source:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as e:  # handed to the reader, never dropped
            self._put(_Raised(e))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> "Background[T]":
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._q.get()
        if item is _END:
            self._done = True
            raise StopIteration
        if isinstance(item, _Raised):
            self._done = True
            raise item.exc
        return item  # type: ignore[return-value]

    def stop(self) -> None:
        """Asks the thread to stop at its next item (close() also waits for it)."""
        self._stop.set()

    def close(self, timeout: Optional[float] = 5.0) -> None:
        """Stops the thread and drops what it had fetched ahead."""
        self._stop.set()
        self._done = True
        while True:
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout)
