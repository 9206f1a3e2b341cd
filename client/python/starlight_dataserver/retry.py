"""Which errors are worth a retry, and how long to wait before it."""

import random
from dataclasses import dataclass

import grpc


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds the resumption of a stream after transient errors:
    ``max_attempts`` consecutive failed attempts (no batch received in
    between) end the stream; the wait starts at ``base_delay`` seconds and
    doubles up to ``max_delay``, with up to half of it taken off at random."""

    max_attempts: int = 10
    base_delay: float = 0.05
    max_delay: float = 2.0

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
    another): UNAVAILABLE (no replica reachable, a connection reset, a
    replica restarting, draining or still indexing), DEADLINE_EXCEEDED (the
    client sets no deadline on streams, so the server ended a stream it could
    not deliver in time) and RESOURCE_EXHAUSTED for the server's stream limit
    (not for a message over the size limit). Every other code is final."""
    if not isinstance(err, grpc.RpcError) or not hasattr(err, "code"):
        return False
    code = err.code()
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return True
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        msg = (err.details() or "").lower()
        return "larger than max" not in msg and "message too large" not in msg and "exceeds" not in msg
    return False
