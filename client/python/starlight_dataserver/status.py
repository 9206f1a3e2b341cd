"""The details the server attaches to an error status: a google.rpc.Status
in the ``grpc-status-details-bin`` trailer, holding a google.rpc.ErrorInfo
(domain "dataserver.starlight", a reason such as MEMORY_BUDGET) and, when a
retry is worth it, a google.rpc.RetryInfo (the delay to wait).

The three messages are tiny, so they are read here with a small protobuf
wire decoder rather than through googleapis-common-protos, which is not a
Debian package the client can count on (python3-grpcio and python3-protobuf
are)."""

from dataclasses import dataclass
from typing import Optional

from .protowire import fields

#: The trailing metadata key gRPC carries the whole status in.
DETAILS_KEY = "grpc-status-details-bin"

_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


@dataclass(frozen=True)
class StatusDetails:
    """What a detailed status says: its code and message, the ErrorInfo's
    ``reason`` and ``domain`` ("" without one), and the RetryInfo's
    ``retry_delay`` in seconds (None without one: the error is final)."""

    code: int = 0
    message: str = ""
    reason: str = ""
    domain: str = ""
    retry_delay: Optional[float] = None


def details_of(err) -> Optional[StatusDetails]:
    """Returns the details of a grpc.RpcError, or None when its trailers
    carry none (a transport failure, or a status without details). Details
    that cannot be decoded count as present, with nothing in them."""
    trailers = None
    try:
        trailers = err.trailing_metadata()
    except Exception:  # noqa: BLE001 - a call without trailers (never started)
        return None
    for key, value in trailers or ():
        if key == DETAILS_KEY:
            try:
                return parse_status(value if isinstance(value, bytes) else value.encode("latin-1"))
            except ValueError:
                return StatusDetails()
    return None


def parse_status(data: bytes) -> StatusDetails:
    """Decodes a google.rpc.Status (code 1, message 2, details 3 as Any) and
    the ErrorInfo (reason 1, domain 2) and RetryInfo (retry_delay 1, a
    Duration: seconds 1, nanos 2) among its details. Unknown fields and
    detail types are skipped; malformed input raises ValueError."""
    code, message, reason, domain, delay = 0, "", "", "", None
    for field, value in _fields_of(data):
        if field == 1 and isinstance(value, int):
            code = _int32(value)
        elif field == 2 and isinstance(value, bytes):
            message = value.decode("utf-8", "replace")
        elif field == 3 and isinstance(value, bytes):
            type_url, body = "", b""
            for f, v in _fields_of(value):
                if f == 1 and isinstance(v, bytes):
                    type_url = v.decode("utf-8", "replace")
                elif f == 2 and isinstance(v, bytes):
                    body = v
            if type_url == _ERROR_INFO:
                for f, v in _fields_of(body):
                    if f == 1 and isinstance(v, bytes):
                        reason = v.decode("utf-8", "replace")
                    elif f == 2 and isinstance(v, bytes):
                        domain = v.decode("utf-8", "replace")
            elif type_url == _RETRY_INFO:
                delay = 0.0
                for f, v in _fields_of(body):
                    if f == 1 and isinstance(v, bytes):
                        delay = _duration(v)
    return StatusDetails(code, message, reason, domain, delay)


def _duration(data: bytes) -> float:
    seconds, nanos = 0, 0
    for f, v in _fields_of(data):
        if f == 1 and isinstance(v, int):
            seconds = _int64(v)
        elif f == 2 and isinstance(v, int):
            nanos = _int32(v)
    return max(0.0, seconds + nanos / 1e9)


def _fields_of(data: bytes):
    return fields(data, "status details")


def _int64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _int32(v: int) -> int:
    v &= (1 << 32) - 1
    return v - (1 << 32) if v >= 1 << 31 else v
