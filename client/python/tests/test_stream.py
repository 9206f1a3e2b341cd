"""The resumable stream against a scripted fake server: resumption from the
last cursor, fail-over, continuity checks, the retry budget."""

import grpc
import pytest

from starlight_dataserver import BatchStream, DiscontinuityError, RetryPolicy, StreamError, details_of, is_transient, retry_delay
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.stream import Place

PER = 4  # batches per epoch in the fake schedule


def _key(field, wire):
    return _uvarint(field << 3 | wire)


def _uvarint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _bytes_field(field, data):
    return _key(field, 2) + _uvarint(len(data)) + data


def status_bin(code, message, reason, delay=None):
    """A google.rpc.Status as the server sends it, encoded by hand."""
    info = _bytes_field(1, reason.encode()) + _bytes_field(2, b"dataserver.starlight")
    out = _key(1, 0) + _uvarint(code) + _bytes_field(2, message.encode())
    out += _bytes_field(3, _bytes_field(1, b"type.googleapis.com/google.rpc.ErrorInfo") + _bytes_field(2, info))
    if delay is not None:
        secs, nanos = int(delay), int(round((delay - int(delay)) * 1e9))
        dur = _key(1, 0) + _uvarint(secs) + _key(2, 0) + _uvarint(nanos)
        out += _bytes_field(3, _bytes_field(1, b"type.googleapis.com/google.rpc.RetryInfo") + _bytes_field(2, _bytes_field(1, dur)))
    return out


class FakeError(grpc.RpcError, grpc.Call):
    def __init__(self, code, details="", status=None):
        self._code, self._details, self._status = code, details, status

    def code(self):
        return self._code

    def details(self):
        return self._details

    # grpc.Call's other abstract methods
    def initial_metadata(self):
        return None

    def trailing_metadata(self):
        return (("grpc-status-details-bin", self._status),) if self._status is not None else None

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, cb):
        return False


def cursor(epoch, batch):
    return f"e{epoch}b{batch}"


def place_of(c):
    e, b = c[1:].split("b")
    return int(e), int(b)


def msg(epoch, batch):
    return pb.StreamBatchesResponse(epoch=epoch, batch_index=batch, batches_per_epoch=PER, cursor=cursor(epoch, batch),
                                    content_ids=[f"{epoch}-{batch}"])


class FakeCall:
    def __init__(self, items):
        self._it = iter(items)
        self.cancelled = False

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._it)
        if isinstance(item, Exception):
            raise item
        return item.SerializeToString()

    def cancel(self):
        self.cancelled = True


class FakeConn:
    """Replicas answer from the schedule; ``faults`` says, per call, after how
    many batches that call fails and with which code (None: no fault)."""

    def __init__(self, faults, replicas=("a:1", "b:1")):
        self.targets = list(replicas)
        self.index = 0
        self.faults = list(faults)
        self.requests = []
        self.calls = []
        self.metadata = ()
        self.waits = []

    @property
    def current(self):
        return self.targets[self.index]

    def fail_over(self):
        self.index = (self.index + 1) % len(self.targets)
        return self.current

    def stub(self):
        return self

    def wait_ready(self, timeout):
        self.waits.append(timeout)
        if timeout <= 0:
            raise TimeoutError("no replica SERVING")
        return self.current

    def StreamBatches(self, req, metadata=None):
        r = pb.StreamBatchesRequest()
        r.CopyFrom(req)
        self.requests.append((self.current, r))
        if req.cursor:
            e, b = place_of(req.cursor)
            e, b = (e + 1, 0) if b + 1 == PER else (e, b + 1)
        else:
            e, b = req.epoch, 0
        end = req.end_epoch or req.epoch + 1
        items = []
        while e < end and (not req.max_batches or len(items) < req.max_batches):
            items.append(msg(e, b))
            e, b = (e + 1, 0) if b + 1 == PER else (e, b + 1)
        fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            n, code, *status = fault
            items = items[:n] + [FakeError(code, "fake", *status)]
        call = FakeCall(items)
        self.calls.append(call)
        return call

    def stream_batches(self, req):
        """As Connection.stream_batches: each message's serialized bytes."""
        return self.StreamBatches(req, metadata=self.metadata)


def run(conn, req, **kw):
    s = BatchStream(conn, req, retry=RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002),
                    sleep=lambda d: None, **kw)
    return s, [(m.epoch, m.batch_index) for m in s]


def all_places(e0, e1):
    return [(e, b) for e in range(e0, e1) for b in range(PER)]


def test_uninterrupted():
    conn = FakeConn([])
    s, got = run(conn, pb.StreamBatchesRequest(epoch=1, end_epoch=3))
    assert got == all_places(1, 3)
    assert s.resumes == 0 and s.cursor == cursor(2, PER - 1)


def test_resumes_from_last_cursor_on_another_replica():
    U = grpc.StatusCode.UNAVAILABLE
    send_timeout = status_bin(4, "send timeout", "SEND_TIMEOUT", 0.1)
    conn = FakeConn([(2, U), (0, U), (3, grpc.StatusCode.DEADLINE_EXCEEDED, send_timeout)])
    s, got = run(conn, pb.StreamBatchesRequest(epoch=0, end_epoch=2))
    assert got == all_places(0, 2)
    assert s.resumes == 3
    # each retry asks the next replica, from the cursor of the last batch delivered
    assert [(addr, r.cursor) for addr, r in conn.requests] == [
        ("a:1", ""), ("b:1", cursor(0, 1)), ("a:1", cursor(0, 1)), ("b:1", cursor(1, 0))]
    assert all(c.cancelled for c in conn.calls[:3])


def test_failure_before_the_first_batch_repeats_the_request():
    conn = FakeConn([(0, grpc.StatusCode.UNAVAILABLE)])
    _, got = run(conn, pb.StreamBatchesRequest(epoch=0, max_batches=2))
    assert got == [(0, 0), (0, 1)]
    assert conn.requests[1][1].cursor == "" and conn.requests[1][1].max_batches == 2


def test_max_batches_shrinks_on_resume():
    conn = FakeConn([(1, grpc.StatusCode.UNAVAILABLE)])
    _, got = run(conn, pb.StreamBatchesRequest(epoch=0, end_epoch=5, max_batches=3))
    assert got == [(0, 0), (0, 1), (0, 2)]
    assert conn.requests[1][1].max_batches == 2


def test_final_codes_end_the_stream():
    conn = FakeConn([(1, grpc.StatusCode.INVALID_ARGUMENT)])
    s = BatchStream(conn, pb.StreamBatchesRequest(epoch=0), sleep=lambda d: None)
    it = iter(s)
    assert next(it).batch_index == 0
    with pytest.raises(StreamError, match="INVALID_ARGUMENT") as e:
        next(it)
    assert e.value.code == grpc.StatusCode.INVALID_ARGUMENT and e.value.cursor == cursor(0, 0)


def test_retry_budget_is_spent():
    conn = FakeConn([(0, grpc.StatusCode.UNAVAILABLE)] * 10)
    with pytest.raises(StreamError, match="giving up after 4 attempts"):
        run(conn, pb.StreamBatchesRequest(epoch=0))


def test_resume_from_a_loaded_cursor_checks_the_first_place():
    conn = FakeConn([])
    _, got = run(conn, pb.StreamBatchesRequest(epoch=0, end_epoch=2, cursor=cursor(0, 2)), expect=Place(0, 3))
    assert got == all_places(0, 2)[3:]
    with pytest.raises(DiscontinuityError, match="expected epoch 1 batch 1"):
        run(FakeConn([]), pb.StreamBatchesRequest(epoch=0, end_epoch=2, cursor=cursor(0, 2)), expect=Place(1, 1))
    # a cursor at the end of the last epoch: nothing left, no call made
    conn = FakeConn([])
    _, got = run(conn, pb.StreamBatchesRequest(epoch=0, cursor=cursor(0, PER - 1)), expect=Place(1, 0))
    assert got == [] and conn.requests == []


class Skipper(FakeConn):
    def StreamBatches(self, req, metadata=None):
        return FakeCall([msg(0, 0), msg(0, 2)])


class EarlyEnd(FakeConn):
    def StreamBatches(self, req, metadata=None):
        return FakeCall([msg(0, 0)])


def test_discontinuities_are_reported():
    with pytest.raises(DiscontinuityError, match="expected epoch 0 batch 1"):
        run(Skipper([]), pb.StreamBatchesRequest(epoch=0))
    with pytest.raises(DiscontinuityError, match="ended the stream cleanly"):
        run(EarlyEnd([]), pb.StreamBatchesRequest(epoch=0))


def test_transient_rule():
    RE = grpc.StatusCode.RESOURCE_EXHAUSTED
    # UNAVAILABLE without details: a transport failure
    assert is_transient(FakeError(grpc.StatusCode.UNAVAILABLE))
    # the server's RetryInfo decides, whatever the code or the text
    budget = FakeError(RE, "x", status_bin(8, "memory budget exhausted", "MEMORY_BUDGET", 2.5))
    assert is_transient(budget) and retry_delay(budget) == 2.5
    assert details_of(budget).reason == "MEMORY_BUDGET" and details_of(budget).domain == "dataserver.starlight"
    assert is_transient(FakeError(grpc.StatusCode.UNAVAILABLE, "", status_bin(14, "draining", "SHUTTING_DOWN", 1)))
    assert not is_transient(FakeError(grpc.StatusCode.UNAVAILABLE, "", status_bin(14, "x", "SOMETHING_FINAL")))
    assert not is_transient(FakeError(RE, "too many streams running; retry later"))
    assert not is_transient(FakeError(RE, "Received message larger than max (5 vs. 4)"))
    assert not is_transient(FakeError(grpc.StatusCode.DEADLINE_EXCEEDED))
    assert not is_transient(FakeError(grpc.StatusCode.PERMISSION_DENIED))
    assert not is_transient(FakeError(grpc.StatusCode.UNAVAILABLE, "", b"\xff\xff"))  # unreadable details
    assert not is_transient(ValueError("x"))


def test_final_status_reports_its_reason():
    gone = status_bin(9, "snapshot gone", "SNAPSHOT_GONE")
    conn = FakeConn([(1, grpc.StatusCode.FAILED_PRECONDITION, gone)])
    with pytest.raises(StreamError) as e:
        run(conn, pb.StreamBatchesRequest(epoch=0))
    assert e.value.reason == "SNAPSHOT_GONE" and len(conn.requests) == 1


def test_retries_for_the_window_then_gives_up():
    # a clock that moves 10 s per look: a 60 s window allows a few attempts
    now = [0.0]

    def clock():
        now[0] += 10.0
        return now[0]

    conn = FakeConn([(0, grpc.StatusCode.UNAVAILABLE)] * 100)
    s = BatchStream(conn, pb.StreamBatchesRequest(epoch=0), retry=RetryPolicy(window=60, base_delay=0.001, max_delay=0.002),
                    sleep=lambda d: None, clock=clock)
    with pytest.raises(StreamError, match="retry window 60s"):
        list(s)
    assert 2 <= len(conn.requests) <= 6
    assert all(w > 0 for w in conn.waits)


def test_server_retry_delay_is_waited():
    slept = []
    busy = status_bin(8, "memory budget exhausted", "MEMORY_BUDGET", 3.0)
    conn = FakeConn([(1, grpc.StatusCode.RESOURCE_EXHAUSTED, busy)])
    s = BatchStream(conn, pb.StreamBatchesRequest(epoch=0), sleep=slept.append)
    assert [m.batch_index for m in s] == list(range(PER))
    assert slept and slept[0] >= 3.0


def test_default_policy_rides_out_minutes():
    p = RetryPolicy()
    assert p.window >= 300 and p.max_attempts == 0


def test_backoff_grows_and_is_capped():
    p = RetryPolicy(base_delay=0.1, max_delay=0.8)
    for attempt, top in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (9, 0.8)]:
        for _ in range(20):
            assert top / 2 - 1e-9 <= p.delay(attempt) <= top + 1e-9
