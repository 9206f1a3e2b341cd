"""Errors raised by the client."""


class DataServerError(Exception):
    """Base class of the client's errors."""


class ConfigError(DataServerError, ValueError):
    """An option or target the client cannot use (raised before any call)."""


class StreamError(DataServerError):
    """A stream ended by a non-transient status, or by transient ones once the
    retry policy's window was spent. ``code`` is the gRPC status code (or
    None), ``reason`` the server's reason for it (its ErrorInfo, e.g.
    "SNAPSHOT_GONE"; "" when it gave none) and ``cursor`` the cursor of the
    last batch delivered."""

    def __init__(self, message, code=None, cursor="", reason=""):
        super().__init__(message)
        self.code = code
        self.cursor = cursor
        self.reason = reason


class DiscontinuityError(DataServerError):
    """A batch that does not follow the previous one in the schedule (a server
    bug): resuming from it would lose or repeat samples."""


class TensorError(DataServerError, ValueError):
    """A tensor whose name, dtype, shape or data do not agree."""


class StateError(DataServerError, ValueError):
    """A state_dict that does not fit this dataset (other rank, world size,
    worker count or request options)."""
