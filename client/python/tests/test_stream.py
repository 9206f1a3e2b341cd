"""The resumable stream against a scripted fake server: resumption from the
last cursor, fail-over, continuity checks, the retry budget."""

import grpc
import pytest

from starlight_dataserver import BatchStream, DiscontinuityError, RetryPolicy, StreamError, is_transient
from starlight_dataserver._proto import dataserver_pb2 as pb
from starlight_dataserver.stream import Place

PER = 4  # batches per epoch in the fake schedule


class FakeError(grpc.RpcError, grpc.Call):
    def __init__(self, code, details=""):
        self._code, self._details = code, details

    def code(self):
        return self._code

    def details(self):
        return self._details

    # grpc.Call's other abstract methods
    def initial_metadata(self):
        return None

    def trailing_metadata(self):
        return None

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
        return item

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

    @property
    def current(self):
        return self.targets[self.index]

    def fail_over(self):
        self.index = (self.index + 1) % len(self.targets)
        return self.current

    def stub(self):
        return self

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
            n, code = fault
            items = items[:n] + [FakeError(code, "fake")]
        call = FakeCall(items)
        self.calls.append(call)
        return call


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
    conn = FakeConn([(2, U), (0, U), (3, grpc.StatusCode.DEADLINE_EXCEEDED)])
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


def test_transient_codes():
    assert is_transient(FakeError(grpc.StatusCode.UNAVAILABLE))
    assert is_transient(FakeError(grpc.StatusCode.RESOURCE_EXHAUSTED, "too many streams running"))
    assert not is_transient(FakeError(grpc.StatusCode.RESOURCE_EXHAUSTED, "Received message larger than max (5 vs. 4)"))
    assert not is_transient(FakeError(grpc.StatusCode.PERMISSION_DENIED))
    assert not is_transient(ValueError("x"))


def test_backoff_grows_and_is_capped():
    p = RetryPolicy(base_delay=0.1, max_delay=0.8)
    for attempt, top in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (9, 0.8)]:
        for _ in range(20):
            assert top / 2 - 1e-9 <= p.delay(attempt) <= top + 1e-9
