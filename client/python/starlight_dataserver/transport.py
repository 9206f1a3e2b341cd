"""Connections to one server or several replicas: targets, TLS, the bearer
token, and the grpc.health.v1 readiness check."""

import atexit
import ipaddress
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union
from urllib.parse import urlparse

import grpc

from ._proto import dataserver_pb2 as pb
from ._proto import dataserver_pb2_grpc as pbg
from .errors import ConfigError
from .protowire import fields

#: The grpc.health.v1 service name the server reports its readiness under.
HEALTH_SERVICE = "dataserver.v1.DataService"

#: The full name of the StreamBatches method.
STREAM_BATCHES = "/dataserver.v1.DataService/StreamBatches"

#: The largest batch message accepted by default (the server sends at most 128 MiB).
DEFAULT_MAX_MESSAGE_BYTES = 256 << 20


def split_targets(targets: Union[str, Sequence[str]]) -> List[str]:
    """Splits "a:1,b:2" (or a list of such strings) into addresses, dropping
    blanks. A gRPC target with a scheme ("dns:///name:port") must come alone."""
    if isinstance(targets, str):
        targets = [targets]
    out = []
    for t in targets:
        if not isinstance(t, str):
            raise ConfigError(f"address {t!r} is not a string")
        out.extend(p.strip() for p in t.split(",") if p.strip())
    if not out:
        raise ConfigError("no server address given")
    for t in out:
        if "://" in t or t.startswith("unix:"):
            if len(out) > 1:
                raise ConfigError(f"{t!r} has a scheme; give it alone, not in a list of {len(out)} targets")
            return out
        host, port = _split_host_port(t)
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"{t!r} is not host:port (nor a target such as dns:///name:port)")
    return out


def _split_host_port(t: str) -> Tuple[str, str]:
    if t.startswith("["):
        end = t.find("]")
        if end < 0 or t[end + 1:end + 2] != ":":
            return "", ""
        return t[1:end], t[end + 2:]
    host, sep, port = t.rpartition(":")
    if not sep or ":" in host:
        return "", ""
    return host, port


def is_loopback(target: str) -> bool:
    """Tells whether a target is on this machine (loopback IP, "localhost",
    unix socket), where plaintext is allowed by default."""
    if target.startswith("unix:") or target.startswith("unix-abstract:"):
        return True
    if "://" in target:
        u = urlparse(target)
        if u.scheme not in ("dns", "ipv4", "ipv6", "passthrough"):
            return False
        target = u.path.lstrip("/") or u.netloc
    host, _ = _split_host_port(target)
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class TLSOptions:
    """How to secure the connection. ``enabled`` None means automatic: TLS
    (with the system roots) unless every target is a loopback address.
    ``ca_file`` trusts a private CA; ``cert_file``/``key_file`` present a
    client certificate; ``server_name`` overrides the name checked in the
    server's certificate; ``insecure`` forces plaintext whatever the address."""

    enabled: Optional[bool] = None
    ca_file: Optional[str] = None
    cert_file: Optional[str] = None
    key_file: Optional[str] = None
    server_name: Optional[str] = None
    insecure: bool = False

    def use_tls(self, targets: Sequence[str]) -> bool:
        """Returns whether the connection to targets uses TLS, or raises
        ConfigError on contradictory options."""
        wants = self.enabled is True or bool(self.ca_file or self.cert_file or self.key_file)
        if self.insecure and wants:
            raise ConfigError("insecure=True conflicts with a TLS option")
        if self.insecure or self.enabled is False:
            return False
        if bool(self.cert_file) != bool(self.key_file):
            raise ConfigError("a client certificate needs both cert_file and key_file")
        return wants or not all(is_loopback(t) for t in targets)

    def credentials(self) -> grpc.ChannelCredentials:
        """Builds the TLS channel credentials, reading the PEM files."""
        def read(path, what):
            if not path:
                return None
            try:
                with open(path, "rb") as f:
                    return f.read()
            except OSError as e:
                raise ConfigError(f"TLS {what} {path}: {e.strerror or e}") from e
        return grpc.ssl_channel_credentials(
            root_certificates=read(self.ca_file, "CA file"),
            private_key=read(self.key_file, "key file"),
            certificate_chain=read(self.cert_file, "certificate file"),
        )


class Connection:
    """Channels to the server's replicas, one per address (or one for a
    target URI), created lazily and closed by close(). ``current`` is the
    replica calls go to; ``fail_over`` moves to the next. Not fork-safe:
    create it in the process that uses it (a DataLoader worker)."""

    def __init__(self, targets, token: Optional[str] = None, tls: TLSOptions = TLSOptions(),
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES, start: int = 0):
        self.targets = split_targets(targets)
        self._tls = tls.use_tls(self.targets)
        self._creds = tls.credentials() if self._tls else None
        self._server_name = tls.server_name
        if token is not None and (not isinstance(token, str) or not token or "\n" in token):
            raise ConfigError("token must be a non-empty one-line string")
        self._metadata = (("authorization", "Bearer " + token),) if token else ()
        self._max_msg = int(max_message_bytes)
        self._channels: List[Optional[grpc.Channel]] = [None] * len(self.targets)
        self._index = start % len(self.targets)
        self._lock = threading.Lock()
        _open.add(self)

    @property
    def secure(self) -> bool:
        """Tells whether the channels use TLS."""
        return self._tls

    @property
    def metadata(self) -> Tuple[Tuple[str, str], ...]:
        """The call metadata (the bearer token, when one is set)."""
        return self._metadata

    @property
    def current(self) -> str:
        """The address calls go to now."""
        return self.targets[self._index]

    def channel(self) -> grpc.Channel:
        """Returns the channel of the current replica, creating it if needed."""
        with self._lock:
            i = self._index
            ch = self._channels[i]
            if ch is None:
                ch = self._channels[i] = self._dial(self.targets[i])
            return ch

    def stub(self) -> pbg.DataServiceStub:
        """Returns a DataService stub on the current replica."""
        return pbg.DataServiceStub(self.channel())

    def stream_batches(self, request: "pb.StreamBatchesRequest"):
        """Starts StreamBatches on the current replica with the bearer
        token; the call yields each response's serialized bytes, for
        wirebatch.decode to split without copying its tensors."""
        call = self.channel().unary_stream(STREAM_BATCHES, request_serializer=pb.StreamBatchesRequest.SerializeToString,
                                           response_deserializer=None)
        return call(request, metadata=self.metadata or None)

    def fail_over(self) -> str:
        """Moves to the next replica (round robin) and returns its address."""
        with self._lock:
            self._index = (self._index + 1) % len(self.targets)
            return self.targets[self._index]

    def _dial(self, target: str) -> grpc.Channel:
        opts = [
            ("grpc.max_receive_message_length", self._max_msg),
            ("grpc.max_send_message_length", 4 << 20),
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_timeout_ms", 10_000),
            ("grpc.keepalive_permit_without_calls", 0),
            ("grpc.enable_retries", 0),
            # gRPC's reconnect backoff grows to 120 s by default: a replica
            # back after a minute's restart would be seen a minute late.
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 5_000),
            ("grpc.lb_policy_name", "round_robin"),
        ]
        if self._tls:
            if self._server_name:
                opts.append(("grpc.ssl_target_name_override", self._server_name))
            return grpc.secure_channel(target, self._creds, options=opts)
        return grpc.insecure_channel(target, options=opts)

    def wait_ready(self, timeout: float = 30.0, poll: float = 0.1) -> str:
        """Waits until some replica reports SERVING on grpc.health.v1 (its
        first index is ready), trying each in turn, and makes it current.
        Returns its address; raises TimeoutError after timeout seconds."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while True:
            for _ in range(len(self.targets)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no replica of {','.join(self.targets)} SERVING after {timeout:g}s: {last}")
                try:
                    status = health_check(self.channel(), timeout=min(left, 2.0))
                    if status == SERVING:
                        return self.current
                    last = f"{self.current}: {_STATUS_NAMES.get(status, status)}"
                except grpc.RpcError as e:
                    last = f"{self.current}: {e.code().name}: {e.details()}"
                self.fail_over()
            time.sleep(min(poll, max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        """Closes every channel. During interpreter shutdown (a generator
        left unfinished is closed then) the channels are only dropped: gRPC's
        threads have stopped by then, and closing a channel would wait for
        them forever. _close_open closes them properly, before that."""
        with self._lock:
            for i, ch in enumerate(self._channels):
                if ch is not None:
                    if not sys.is_finalizing():
                        ch.close()
                    self._channels[i] = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# Connections not yet closed; at exit, while gRPC's threads still run, they
# are closed, so a program that stops iterating a dataset without closing it
# still exits at once.
_open: "weakref.WeakSet[Connection]" = weakref.WeakSet()


@atexit.register
def _close_open() -> None:
    for c in list(_open):
        c.close()


# grpc.health.v1 without its generated stubs: HealthCheckRequest is field 1
# (string service), HealthCheckResponse is field 1 (enum status).
SERVING = 1
_STATUS_NAMES = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def encode_health_request(service: str) -> bytes:
    """Encodes a grpc.health.v1.HealthCheckRequest for service."""
    raw = service.encode()
    return b"\x0a" + _varint(len(raw)) + raw if raw else b""


def decode_health_status(data: bytes) -> int:
    """Reads the status of a grpc.health.v1.HealthCheckResponse (0 when
    absent); unknown fields are skipped, malformed input raises ValueError."""
    status = 0
    for field, value in fields(data, "health response"):
        if field == 1 and isinstance(value, int):
            status = value
    return status


def health_check(channel: grpc.Channel, service: str = HEALTH_SERVICE, timeout: float = 2.0) -> int:
    """Calls grpc.health.v1.Health/Check on channel and returns the status
    (1 is SERVING)."""
    call = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=lambda b: b,
        response_deserializer=lambda b: b,
    )
    return decode_health_status(call(encode_health_request(service), timeout=timeout))
