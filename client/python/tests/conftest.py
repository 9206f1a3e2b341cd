"""Fixtures: the package on sys.path, the reference corpus, and the Go data
server built from this repository and run on loopback over the corpus."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from starlight_dataserver.transport import SERVING, health_check  # noqa: E402

import grpc  # noqa: E402


def repo_root() -> Path:
    """The directory holding go.mod, walking up from the tests."""
    for d in [HERE, *HERE.parents]:
        if (d / "go.mod").is_file():
            return d
    raise RuntimeError(f"no go.mod above {HERE}")


REPO = repo_root()
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


def corpus_or_skip() -> Path:
    """Returns the corpus directory, or skips loudly when it is absent."""
    if not (CORPUS / "expected.jsonl").is_file() or not (CORPUS / "datasets").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: skipping parity test (the server tests need ../shared/corpus)")
    return CORPUS


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def go_bin(tmp_path_factory) -> Path:
    """Builds the dataserver binary and the Go-client helper (gobatches)
    into a temporary directory, once per session. PYCLIENT_TEST_BIN names a
    directory holding both already built, to skip the build."""
    prebuilt = os.environ.get("PYCLIENT_TEST_BIN")
    if prebuilt:
        d = Path(prebuilt)
        missing = [n for n in ("dataserver", "gobatches") if not (d / n).is_file()]
        if missing:
            pytest.fail(f"PYCLIENT_TEST_BIN={prebuilt}: {missing} not there")
        return d
    go = shutil.which("go")
    if go is None:
        pytest.skip("go toolchain not found on PATH: skipping the tests that need the Go server")
    out = tmp_path_factory.mktemp("bin")
    env = dict(os.environ, CGO_ENABLED="0")
    r = subprocess.run([go, "build", "-o", str(out) + os.sep, "./cmd/dataserver",
                        "./client/python/tests/testdata/gobatches"],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        pytest.fail(f"go build failed:\n{r.stdout}\n{r.stderr}")
    return out


class Server:
    """One dataserver process serving root on a loopback port."""

    def __init__(self, binary: Path, root: Path, logdir: Path, extra=()):
        self.port = free_port()
        self.addr = f"127.0.0.1:{self.port}"
        self.log_path = logdir / f"serve-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATASERVER_")}
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--root", str(root), "--addr", self.addr, "--metrics-addr", "",
             "--grace-period", "1s", "--log-level", "warn", *extra],
            stdout=self._log, stderr=subprocess.STDOUT, env=env)

    def wait_serving(self, timeout: float = 60.0) -> None:
        """Waits for grpc health SERVING; fails with the server's log when it
        exits or the deadline passes."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        with grpc.insecure_channel(self.addr) as ch:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    pytest.fail(f"dataserver exited with {self.proc.returncode}:\n{self.log()}")
                try:
                    if health_check(ch, timeout=1.0) == SERVING:
                        return
                    last = "NOT_SERVING"
                except grpc.RpcError as e:
                    last = f"{e.code().name}: {e.details()}"
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"dataserver on {self.addr} not SERVING after {timeout}s ({last}):\n{self.log()}")

    def log(self) -> str:
        """The server's output so far."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self, kill: bool = False) -> None:
        """Ends the server: SIGKILL when kill, else SIGTERM then SIGKILL after 10s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@pytest.fixture(scope="session")
def start_server(go_bin, tmp_path_factory):
    """Starts servers over the corpus (or another root); all are stopped at
    the end of the session."""
    corpus_or_skip()
    logdir = tmp_path_factory.mktemp("logs")
    started = []

    def start(root: Path = None, extra=(), wait: bool = True) -> Server:
        s = Server(go_bin / "dataserver", root or (CORPUS / "datasets"), logdir, extra)
        started.append(s)
        if wait:
            s.wait_serving()
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def server(start_server) -> Server:
    """The session's server over ../shared/corpus/datasets."""
    return start_server()
