"""Which errors are worth a retry, and how long to wait before it."""

import random
from dataclasses import dataclass
from typing import Optional

import grpc

from .status import details_of


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds the resumption of a stream after transient errors: a stream
    keeps trying for ``window`` seconds with no batch received (default 5
    minutes, enough to ride out a server restart), waiting between attempts
    from ``base_delay`` seconds doubling up to ``max_delay`` (up to half
    taken off at random; a longer delay asked by the server is waited
    instead) and then for a replica to answer SERVING on grpc.health.v1.
    ``max_attempts``, when positive, also gives up after that many
    consecutive failed attempts; 0 leaves it to the window."""

    window: float = 300.0
    max_attempts: int = 0
    base_delay: float = 0.1
    max_delay: float = 5.0

    def delay(self, attempt: int) -> float:
        """The wait before retry number attempt (1-based)."""
        d = self.base_delay
        for _ in range(1, attempt):
            if d >= self.max_delay:
                break
            d *= 2
        d = min(d, self.max_delay)
        return d - random.uniform(0, d / 2)


def is_transient(err: BaseException) -> bool:
    """Tells whether a gRPC error is worth a retry (on the same replica or
    another), by the rule the Go client follows too: the server said so (the
    status carries a google.rpc.RetryInfo: a replica restarting, draining or
    still indexing, too many streams, the memory budget, its send timeout),
    or the status is UNAVAILABLE with no details at all (the transport
    failed: no replica reachable, a connection reset). Every other status is
    final; a message's text never decides."""
    if not isinstance(err, grpc.RpcError) or not hasattr(err, "code"):
        return False
    d = details_of(err)
    if d is not None:
        return d.retry_delay is not None
    return err.code() == grpc.StatusCode.UNAVAILABLE


def retry_delay(err: BaseException) -> Optional[float]:
    """The delay in seconds the server asked before a retry (its RetryInfo),
    or None."""
    d = details_of(err) if isinstance(err, grpc.RpcError) else None
    return d.retry_delay if d is not None else None
